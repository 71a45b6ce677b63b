//===- Train.cpp - A train step over a netc --train library ---------------===//
//
// The trainer keeps an f32 copy of every raw parameter of the library and
// the optimizer's state. A step runs the library's "train" entry point
// (the losses and the gradients from one pass), updates the parameters as
// torch.optim does, and prepares a new set of weights from them in the
// library (netrt_weights_create_params), which it binds to the handle:
// runs in flight keep the set they started with (Handle.h).
//
//===----------------------------------------------------------------------===//
#include "Handle.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <map>
#include <unistd.h>
#include <vector>

using namespace netrt;

struct netrt_trainer {
  netrt_handle *h = nullptr;
  netrt_optimizer opt{};
  std::vector<netrt_tensor_info> params;
  std::vector<std::vector<float>> values, first, second; // optimizer state
  std::vector<std::vector<uint8_t>> frozenZero;          // keep_zeros
  // tie_equal: per parameter, each weight's codebook entry (-1: a zero)
  // and the entries' values and optimizer state; empty when untied.
  std::vector<std::vector<int32_t>> entryOf;
  std::vector<std::vector<float>> entries, entryFirst, entrySecond;
  const netrt_tensor_info *results = nullptr;             // of "train"
  int32_t numResults = 0, numLosses = 0;
  int32_t numState = 0; // trailing results: buffers' new values (batch-stats)
  std::vector<int> paramOf; // per result: the parameter it is the gradient of
  netrt_weights_create_fn createParams = nullptr;
  int64_t steps = 0;
  std::mutex lock;
};

extern "C" void netrt_optimizer_defaults(netrt_optimizer *o, int32_t kind) {
  *o = netrt_optimizer{};
  o->kind = kind;
  o->beta1 = 0.9f;
  o->beta2 = 0.999f;
  o->eps = 1e-8f;
}

namespace {

template <typename Fn> Fn symbol(const netrt_handle *h, const char *name) {
  return reinterpret_cast<Fn>(dlsym(h->dl, name));
}

int64_t numel(const netrt_tensor_info &info) {
  int64_t n = 1;
  for (int32_t d = 0; d < info.rank; ++d)
    n *= info.shape[d];
  return n;
}

netrt_tensor tensorOf(const netrt_tensor_info &info, float *data) {
  netrt_tensor t{};
  t.data = data;
  t.dtype = NETRT_F32;
  t.rank = info.rank;
  for (int32_t d = 0; d < info.rank; ++d)
    t.shape[d] = info.shape[d];
  return t;
}

bool create(netrt_trainer &t, std::string &err) {
  netrt_handle *h = t.h;
  auto params = symbol<netrt_params_fn>(h, NETRT_PARAMS_SYMBOL);
  auto read = symbol<netrt_read_params_fn>(h, NETRT_READ_PARAMS_SYMBOL);
  auto results = symbol<netrt_entry_results_fn>(h, NETRT_ENTRY_RESULTS_SYMBOL);
  t.createParams =
      symbol<netrt_weights_create_fn>(h, NETRT_WEIGHTS_CREATE_PARAMS_SYMBOL);
  h->runWithWeights =
      symbol<netrt_run_with_weights_fn>(h, NETRT_RUN_WITH_WEIGHTS_SYMBOL);
  h->destroyWeights =
      symbol<netrt_weights_destroy_fn>(h, NETRT_WEIGHTS_DESTROY_SYMBOL);
  if (!params || !read || !results || !t.createParams || !h->runWithWeights ||
      !h->destroyWeights) {
    err = "'" + h->path + "' cannot be trained (it was built by an older netc)";
    return false;
  }
  t.results = results("train", &t.numResults);
  if (!t.results) {
    err = "'" + h->path + "' has no train entry point (compile it with netc "
          "--train)";
    return false;
  }
  t.numLosses = h->info->num_losses;
  if (auto state = symbol<netrt_entry_state_fn>(h, NETRT_ENTRY_STATE_SYMBOL))
    t.numState = state("train");
  int32_t count = 0;
  const netrt_tensor_info *list = params(&count);
  t.params.assign(list, list + count);
  std::map<std::string, int> index;
  std::vector<netrt_tensor> tensors;
  for (int32_t i = 0; i < count; ++i) {
    index[t.params[i].name] = i;
    t.values.emplace_back(size_t(numel(t.params[i])));
    tensors.push_back(tensorOf(t.params[i], t.values.back().data()));
  }
  if (h->weights()) {
    err = "'" + h->path + "' runs with weights bound when it was opened; "
          "train the weights the library holds (compile them in with "
          "--weights)";
    return false;
  }
  if (read(tensors.data()) != 0) {
    const char *msg = h->info->last_error ? h->info->last_error() : nullptr;
    err = std::string("cannot read the parameters of '") + h->path +
          "': " + (msg && *msg ? msg : "unknown error");
    return false;
  }
  for (int32_t r = 0; r < t.numResults; ++r) {
    auto it = r >= t.numLosses ? index.find(t.results[r].name) : index.end();
    t.paramOf.push_back(it == index.end() ? -1 : it->second);
  }
  bool moments = t.opt.kind == NETRT_ADAM || t.opt.momentum != 0;
  for (auto &v : t.values) {
    // Shared values (net-share-weights): at most 256 distinct nonzero
    // values, fewer than half the weights, become codebook entries.
    std::vector<int32_t> entry;
    std::vector<float> values;
    if (t.opt.tie_equal) {
      std::map<float, int32_t> index;
      for (float x : v)
        if (x != 0.0f && index.size() <= 256)
          index.emplace(x, 0);
      if (index.size() <= 256 && index.size() * 2 < v.size()) {
        for (auto &[x, k] : index) {
          k = (int32_t)values.size();
          values.push_back(x);
        }
        for (float x : v)
          entry.push_back(x == 0.0f ? -1 : index[x]);
      }
    }
    t.entryFirst.emplace_back(moments ? values.size() : 0, 0.0f);
    t.entrySecond.emplace_back(t.opt.kind == NETRT_ADAM ? values.size() : 0, 0.0f);
    t.entryOf.push_back(std::move(entry));
    t.entries.push_back(std::move(values));
    t.first.emplace_back(moments ? v.size() : 0, 0.0f);
    t.second.emplace_back(t.opt.kind == NETRT_ADAM ? v.size() : 0, 0.0f);
    std::vector<uint8_t> zero;
    if (t.opt.keep_zeros)
      for (float x : v)
        zero.push_back(x == 0.0f);
    t.frozenZero.push_back(std::move(zero));
  }
  return true;
}

/// torch.optim's update of the n values `w` by their gradients `g`, with
/// the optimizer's state `m` and `v`.
void optimize(const netrt_trainer &t, float *w, float *m, float *v,
              const float *g, size_t n, float lr) {
  const netrt_optimizer &o = t.opt;
  bool firstStep = t.steps == 0;
  if (o.kind == NETRT_ADAM) {
    double step = double(t.steps + 1);
    float c1 = float(1.0 - std::pow((double)o.beta1, step));
    float c2 = float(1.0 - std::pow((double)o.beta2, step));
    for (size_t i = 0; i < n; ++i) {
      float d = g[i] + o.weight_decay * w[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * d;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * d * d;
      w[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + o.eps);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      float d = g[i] + o.weight_decay * w[i];
      if (o.momentum != 0) {
        m[i] = firstStep ? d : o.momentum * m[i] + (1 - o.dampening) * d;
        d = o.nesterov ? d + o.momentum * m[i] : m[i];
      }
      w[i] -= lr * d;
    }
  }
}

/// The update of parameter `p` by its gradient `g`: of each weight, or of
/// each codebook entry by the sum of its weights' gradients (tie_equal).
void update(netrt_trainer &t, int p, const float *g, float lr) {
  std::vector<float> &w = t.values[p];
  size_t n = w.size();
  if (!t.entryOf[p].empty()) {
    std::vector<float> &e = t.entries[p];
    std::vector<float> sum(e.size(), 0.0f);
    const std::vector<int32_t> &of = t.entryOf[p];
    for (size_t i = 0; i < n; ++i)
      if (of[i] >= 0)
        sum[of[i]] += g[i];
    optimize(t, e.data(), t.entryFirst[p].data(), t.entrySecond[p].data(),
             sum.data(), e.size(), lr);
    for (size_t i = 0; i < n; ++i)
      w[i] = of[i] >= 0 ? e[of[i]] : 0.0f;
    return;
  }
  optimize(t, w.data(), t.first[p].data(), t.second[p].data(), g, n, lr);
  const std::vector<uint8_t> &zero = t.frozenZero[p];
  if (!zero.empty())
    for (size_t i = 0; i < n; ++i)
      if (zero[i])
        w[i] = 0.0f;
}

bool step(netrt_trainer &t, const netrt_tensor *inputs, int32_t numInputs,
          float lr, float *losses, std::string &err) {
  netrt_handle *h = t.h;
  int64_t batch = -1;
  if (!checkInputs(h, Entry::Backward, inputs, numInputs, batch, err))
    return false;
  if (!std::isfinite(lr)) {
    err = "the learning rate must be finite";
    return false;
  }
  std::vector<std::vector<float>> out(t.numResults);
  std::vector<netrt_tensor> outputs(t.numResults);
  for (int32_t r = 0; r < t.numResults; ++r) {
    outputs[r].dtype = NETRT_F32;
    outputs[r].rank = t.results[r].rank;
    concreteShape(t.results[r], batch < 0 ? 1 : batch, outputs[r].shape);
    out[r].resize(size_t(netrt_numel(&outputs[r])) + 1);
    outputs[r].data = out[r].data();
  }
  std::shared_ptr<void> weights = h->weights();
  if (h->runWithWeights("train", weights.get(), inputs, outputs.data()) != 0) {
    const char *msg = h->info->last_error ? h->info->last_error() : nullptr;
    err = "model '" + std::string(h->info->name) + "' failed in train: " +
          (msg && *msg ? msg : "unknown error");
    return false;
  }
  for (int32_t l = 0; l < t.numLosses; ++l) {
    float v = out[l][0];
    if (!std::isfinite(v)) {
      err = "loss '" + std::string(t.results[l].name) + "' is " +
            (std::isnan(v) ? "NaN" : "infinite") + " at step " +
            std::to_string(t.steps + 1) +
            ": the parameters were not updated (lower the learning rate, or "
            "check the inputs)";
      return false;
    }
    if (losses)
      losses[l] = v;
  }
  // Several results may be the gradients of one parameter (never, today:
  // net-differentiate sums them); each updates it once.
  int32_t firstState = t.numResults - t.numState;
  for (int32_t r = t.numLosses; r < firstState; ++r)
    if (t.paramOf[r] >= 0)
      update(t, t.paramOf[r], out[r].data(), lr);
  // The running statistics the pass computed (PyTorch's updates in the
  // forward pass of train mode), stored as they are.
  for (int32_t r = firstState; r < t.numResults; ++r)
    if (int p = t.paramOf[r]; p >= 0)
      std::copy_n(out[r].data(), t.values[p].size(), t.values[p].data());
  ++t.steps;
  std::vector<netrt_tensor> tensors;
  for (size_t p = 0; p < t.params.size(); ++p)
    tensors.push_back(tensorOf(t.params[p], t.values[p].data()));
  void *next = t.createParams(tensors.data());
  if (!next) {
    const char *msg = h->info->last_error ? h->info->last_error() : nullptr;
    err = std::string("cannot prepare the updated weights: ") +
          (msg && *msg ? msg : "unknown error");
    return false;
  }
  h->bindWeights(next);
  return true;
}

bool save(const netrt_trainer &t, const std::string &path, std::string &err) {
  nlohmann::ordered_json header;
  header["__metadata__"] = {{"format", "pt"}, {"written_by", "netrt"}};
  uint64_t offset = 0;
  for (size_t p = 0; p < t.params.size(); ++p) {
    std::vector<int64_t> shape(t.params[p].shape,
                               t.params[p].shape + t.params[p].rank);
    uint64_t bytes = uint64_t(t.values[p].size()) * 4;
    header[t.params[p].name] = {{"dtype", "F32"},
                                {"shape", shape},
                                {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  while ((text.size() + 8) % 8)
    text += ' ';
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    uint64_t n = text.size();
    char len[8];
    for (int i = 0; i < 8; ++i)
      len[i] = char((n >> (8 * i)) & 0xff);
    out.write(len, 8);
    out.write(text.data(), (std::streamsize)text.size());
    for (const auto &v : t.values)
      out.write(reinterpret_cast<const char *>(v.data()),
                (std::streamsize)(v.size() * 4));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      err = "cannot write '" + tmp + "'";
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    err = "cannot replace '" + path + "': " + std::strerror(errno);
    return false;
  }
  return true;
}

} // namespace

extern "C" netrt_trainer *netrt_trainer_create(netrt_handle *h,
                                               const netrt_optimizer *opt,
                                               char *err, size_t errSize) {
  if (!h || !opt) {
    setError(err, errSize, "netrt_trainer_create: no model or no optimizer");
    return nullptr;
  }
  if (opt->kind != NETRT_SGD && opt->kind != NETRT_ADAM) {
    setError(err, errSize, "unknown optimizer kind " + std::to_string(opt->kind));
    return nullptr;
  }
  auto *t = new netrt_trainer;
  t->h = h;
  t->opt = *opt;
  std::string msg;
  if (!create(*t, msg)) {
    delete t;
    setError(err, errSize, msg);
    return nullptr;
  }
  return t;
}

extern "C" int netrt_train_step(netrt_trainer *t, const netrt_tensor *inputs,
                                int32_t numInputs, float lr, float *losses,
                                char *err, size_t errSize) {
  if (!t)
    return setError(err, errSize, "netrt_train_step: no trainer"), 1;
  std::lock_guard<std::mutex> g(t->lock);
  std::string msg;
  if (step(*t, inputs, numInputs, lr, losses, msg))
    return 0;
  setError(err, errSize, msg);
  return 1;
}

extern "C" int64_t netrt_trainer_steps(const netrt_trainer *t) {
  return t ? t->steps : 0;
}

extern "C" const float *netrt_trainer_param(const netrt_trainer *t,
                                            const char *name,
                                            netrt_tensor_info *info) {
  if (!t || !name)
    return nullptr;
  for (size_t p = 0; p < t->params.size(); ++p)
    if (!std::strcmp(t->params[p].name, name)) {
      if (info)
        *info = t->params[p];
      return t->values[p].data();
    }
  return nullptr;
}

extern "C" int netrt_trainer_save(netrt_trainer *t, const char *path, char *err,
                                  size_t errSize) {
  if (!t || !path)
    return setError(err, errSize, "netrt_trainer_save: no trainer or no path"), 1;
  std::lock_guard<std::mutex> g(t->lock);
  std::string msg;
  if (save(*t, path, msg))
    return 0;
  setError(err, errSize, msg);
  return 1;
}

extern "C" void netrt_trainer_destroy(netrt_trainer *t) { delete t; }
