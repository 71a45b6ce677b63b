//===- AutoSchedule.cpp - Halide's autoschedulers as a netc schedule ------===//
//
// Halide 14 ships three autoschedulers as plugins (Mullapudi2016,
// Adams2019, Li2018). Each is loaded once per process with
// Halide::load_plugin and run with Pipeline::auto_schedule, which applies
// its schedule to the Funcs directly and returns the schedule as C++ source.
// They need an estimate of every input and output extent; netc's static
// dims give those, and the run-time batch is estimated from `--batch` (or 1).
//
// Two adjustments keep them usable from netc:
// - Adams2019 runs its greedy search (HL_BEAM_SIZE=1): Halide's default
//   beam search (32 wide, five passes) took two minutes on LeNet-5 here, and
//   one pass of it grew past 20 GB on ResNet-18. HL_BEAM_SIZE and
//   HL_NUM_PASSES in the environment win.
// - Li2018 vectorizes atomic (rfactor'ed) reductions with a guarded tail,
//   which Halide 14's x86 back end rejects ("Atomic predicated store is not
//   supported"); those vector loops run serially instead, and the log says
//   which.
// Halide's warnings about their schedules are shown with --verbose only
// (AutoScheduleWarnings); Adams2019 prints its search progress to stderr
// itself.
//
//===----------------------------------------------------------------------===//
#include "codegen/AutoSchedule.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace netc;

namespace {

/// A `--schedule=` value and the Halide autoscheduler behind it.
struct AutoScheduler {
  const char *flag;    // lower case, as --help lists it
  const char *halide;  // the name the plugin registers
  const char *library; // the plugin in NETC_HALIDE_PLUGIN_DIR
};

const AutoScheduler autoSchedulers[] = {
    {"auto-mullapudi2016", "Mullapudi2016", "libautoschedule_mullapudi2016.so"},
    {"auto-adams2019", "Adams2019", "libautoschedule_adams2019.so"},
    {"auto-li2018", "Li2018", "libautoschedule_li2018.so"},
};

const AutoScheduler *findAutoScheduler(llvm::StringRef flag) {
  for (const AutoScheduler &a : autoSchedulers)
    if (flag.equals_insensitive(a.flag))
      return &a;
  return nullptr;
}

/// Loads a plugin once; loading it twice would register its name twice.
void loadPlugin(const AutoScheduler &a) {
  static std::mutex mutex;
  static std::set<std::string> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  if (loaded.count(a.library))
    return;
  const char *dir = std::getenv("NETC_HALIDE_PLUGIN_DIR");
  std::string path =
      std::string(dir && *dir ? dir : NETC_HALIDE_PLUGIN_DIR) + "/" + a.library;
  if (access(path.c_str(), R_OK) != 0)
    throw Halide::Error("cannot find the autoscheduler plugin '" + path +
                        "' (set NETC_HALIDE_PLUGIN_DIR)");
  Halide::load_plugin(path);
  loaded.insert(a.library);
}

/// The machine the autoschedulers' cost models assume: the hardware
/// threads, the last-level cache the OS reports, and Halide's default
/// load/compute balance.
Halide::MachineParams machineParams() {
  Halide::MachineParams p = Halide::MachineParams::generic();
  if (unsigned n = std::thread::hardware_concurrency())
    p.parallelism = (int)n;
  long llc = 0;
#ifdef _SC_LEVEL3_CACHE_SIZE
  llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (llc <= 0)
    llc = sysconf(_SC_LEVEL2_CACHE_SIZE);
#endif
  if (llc > 0)
    p.last_level_cache_size = (uint64_t)llc;
  return p;
}

/// Turns the vectorized loops of atomic update stages into serial loops
/// (see the file comment); returns one log line per loop changed.
std::vector<std::string>
serializeAtomicVectorLoops(const std::vector<Halide::Func> &outputs) {
  std::map<std::string, Halide::Internal::Function> funcs;
  for (const Halide::Func &f : outputs) {
    funcs[f.name()] = f.function();
    for (auto &kv : Halide::Internal::find_transitive_calls(f.function()))
      funcs.insert(kv);
  }
  std::vector<std::string> changed;
  for (auto &[name, fn] : funcs)
    for (size_t u = 0; u < fn.updates().size(); ++u) {
      Halide::Internal::StageSchedule &s = fn.update((int)u).schedule();
      if (!s.atomic())
        continue;
      for (Halide::Internal::Dim &d : s.dims())
        if (d.for_type == Halide::Internal::ForType::Vectorized) {
          d.for_type = Halide::Internal::ForType::Serial;
          changed.push_back("// netc: " + name + ".update(" +
                            std::to_string(u) + ").serial(" + d.var +
                            "): an atomic vector loop Halide 14 cannot "
                            "compile on x86");
        }
    }
  return changed;
}

/// Sets an autoscheduler knob unless the user has.
void defaultEnv(const char *name, const char *value) {
  if (!std::getenv(name))
    setenv(name, value, /*overwrite=*/0);
}

/// The estimate of each Halide dim (reversed NCHW) of a tensor shape.
Halide::Region estimates(const std::vector<int64_t> &shape, int64_t batch) {
  Halide::Region r;
  for (size_t k = shape.size(); k-- > 0;)
    r.push_back(Halide::Range(0, (int)(shape[k] >= 0 ? shape[k] : batch)));
  return r;
}

} // namespace

bool netc::isKnownSchedule(llvm::StringRef schedule) {
  return schedule == "netc" || findAutoScheduler(schedule);
}

std::string netc::knownSchedules() {
  std::string s = "netc";
  for (const AutoScheduler &a : autoSchedulers)
    s += std::string(", ") + a.flag;
  return s;
}

void netc::autoSchedule(LoweredModel &model, const Halide::Target &target,
                        const std::string &schedule, int64_t batchEstimate,
                        std::vector<std::string> &log) {
  const AutoScheduler *a = findAutoScheduler(schedule);
  if (!a)
    throw Halide::Error("unknown schedule '" + schedule + "'");
  loadPlugin(*a);
  if (llvm::StringRef(a->halide) == "Adams2019" && !std::getenv("HL_NUM_PASSES"))
    defaultEnv("HL_BEAM_SIZE", "1");
  Halide::MachineParams params = machineParams();
  for (LoweredEntry &e : model.entries) {
    for (size_t i = 0; i < e.inputs.size(); ++i)
      e.inputs[i].set_estimates(estimates(
          model.inputDescs[e.inputIndices[i]].shape, batchEstimate));
    for (size_t i = 0; i < e.outputs.size(); ++i)
      e.outputs[i].set_estimates(
          estimates(e.outputDescs[i].shape, batchEstimate));
    Halide::Pipeline p(e.outputs);
    Halide::AutoSchedulerResults r = p.auto_schedule(a->halide, target, params);
    log.push_back("// " + e.name + ": " + a->halide +
                  " autoscheduler, machine params " + params.to_string() +
                  ", batch estimate " + std::to_string(batchEstimate));
    std::istringstream lines(r.schedule_source);
    for (std::string line; std::getline(lines, line);)
      log.push_back(line);
    for (const std::string &line : serializeAtomicVectorLoops(e.outputs))
      log.push_back(line);
  }
}

AutoScheduleWarnings::AutoScheduleWarnings(std::string schedule, bool verbose)
    : schedule(std::move(schedule)), verbose(verbose) {
  Halide::set_custom_compile_time_error_reporter(this);
}

AutoScheduleWarnings::~AutoScheduleWarnings() {
  Halide::set_custom_compile_time_error_reporter(nullptr);
}

void AutoScheduleWarnings::warning(const char *msg) {
  llvm::StringRef m(msg);
  if (fatal.empty() && m.contains("guaranteed to fail an assertion at runtime")) {
    llvm::StringRef text = m.trim();
    text.consume_front("Warning: ");
    fatal = text.str();
    std::replace(fatal.begin(), fatal.end(), '\n', ' ');
  }
  if (verbose)
    llvm::errs() << m;
}

void AutoScheduleWarnings::error(const char *msg) {
  throw Halide::CompileError(msg);
}

void AutoScheduleWarnings::check() const {
  if (!fatal.empty())
    throw Halide::CompileError("the --schedule=" + schedule +
                               " schedule gives a pipeline that cannot run "
                               "(" + fatal + ")");
}
