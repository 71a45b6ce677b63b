//===- NetToHalide.cpp - Fusion groups as Halide kernels ------------------===//
//
// An entry function (@forward, @loss) becomes a sequence of kernel calls.
// A fusion group is one op, plus what the net passes fused into it (a
// pool's producer convolution, net.fuse_producer). A concat in place
// (net.in_place) is no group: its parts' kernels write crops of its
// buffer. Each group lowers to its own Halide
// pipeline over buffer arguments (activations, weights); groups with equal
// signatures (ops, attributes, types, storage, target) share one kernel.
// No scheduling happens here; see schedule/X86Schedule.cpp.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/ConvSpec.h"
#include "codegen/lower/LowerContext.h"

#include "net/IR/NetAttrs.h"
#include "net/IR/NetOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"

#include <cstring>
#include <functional>
#include <optional>

using namespace netc;
using namespace Halide;
using mlir::cast;
using mlir::dyn_cast;

std::vector<int64_t> netc::shapeOf(mlir::Value v) {
  std::vector<int64_t> s;
  for (int64_t d : cast<mlir::RankedTensorType>(v.getType()).getShape())
    s.push_back(mlir::ShapedType::isDynamic(d) ? -1 : d);
  return s;
}

std::string netc::sanitize(llvm::StringRef name) {
  std::string s;
  for (char c : name)
    s += (isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return s;
}

namespace {

std::string nameOf(mlir::DictionaryAttr attrs, const std::string &dflt) {
  if (attrs)
    if (auto s = attrs.getAs<mlir::StringAttr>("net.name"))
      return s.str();
  return dflt;
}

TensorDesc inputDesc(mlir::func::FuncOp fn, unsigned i) {
  mlir::Value arg = fn.getArgument(i);
  auto type = cast<mlir::RankedTensorType>(arg.getType());
  return {nameOf(fn.getArgAttrDict(i), "input" + std::to_string(i)),
          type.getElementType().isInteger(32), shapeOf(arg)};
}

bool isInt(mlir::Value v) {
  return cast<mlir::RankedTensorType>(v.getType()).getElementType().isInteger(32);
}

bool isConcatInPlace(mlir::Operation *op);

/// Whether `v` is stored as its u8 codes: a net.qdq value or an int8 max
/// pool of one (not a model output, not a part of a concat in place,
/// whose buffer is f32).
bool storedCodes(mlir::Value v) {
  if (!mlir::net::quantizedSource(v))
    return false;
  for (mlir::Operation *user : v.getUsers())
    if (user->hasTrait<mlir::OpTrait::IsTerminator>() || isConcatInPlace(user))
      return false;
  return true;
}

/// Whether `v` is stored channels innermost (net-layout's choice).
bool storedNhwc(mlir::Value v) {
  return shapeOf(v).size() == 4 && mlir::net::isNhwc(v.getDefiningOp());
}

bool isWeight(mlir::Value v) {
  return v.getDefiningOp<mlir::net::WeightOp>() != nullptr;
}

/// A concat whose parts write into its buffer (net-concat-in-place).
bool isConcatInPlace(mlir::Operation *op) {
  return op && mlir::isa<mlir::net::ConcatOp>(op) &&
         op->hasAttr(mlir::net::kInPlaceAttr);
}

/// Where a part of a concat in place lives: the concat's value, from
/// channel `offset` on.
struct Crop {
  mlir::Value whole;
  int64_t offset = 0;
};

/// The concat in place `v` is a part of (net-concat-in-place makes it at
/// most one), resolved to the outermost: a DenseNet layer's input is a crop
/// of the block's last concat.
std::optional<Crop> cropOf(mlir::Value v) {
  std::optional<Crop> c;
  for (bool found = true; found;) {
    found = false;
    for (mlir::Operation *user : v.getUsers()) {
      if (!isConcatInPlace(user))
        continue;
      auto cat = cast<mlir::net::ConcatOp>(user);
      int64_t offset = 0;
      for (mlir::Value in : cat.getInputs()) {
        if (in == v)
          break;
        offset += shapeOf(in)[1];
      }
      c = Crop{cat.getResult(), (c ? c->offset : 0) + offset};
      v = cat.getResult();
      found = true;
      break;
    }
  }
  return c;
}

/// A fusion group: its ops in program order, the values it reads from
/// other groups (or the model inputs) and those it hands on.
struct Group {
  std::vector<mlir::Operation *> ops;
  std::vector<mlir::Value> inputs, outputs;
  bool copy = false; // an output copy: ops empty, one input, one output
  bool flat = false; // runs on its maps flattened (flatGroup)
};

bool flatGroup(const Group &g);

/// The groups of `fn` as net-group marked them (an op without a mark is a
/// group of its own), each placed where its last op is: every group runs
/// after the groups it reads.
std::vector<Group> groupsOf(mlir::func::FuncOp fn) {
  std::vector<Group> out;
  llvm::DenseMap<int64_t, size_t> byId;
  std::vector<size_t> lastPos;
  size_t pos = 0;
  for (mlir::Operation &op : fn.getBody().front()) {
    ++pos;
    if (mlir::isa<mlir::func::ReturnOp, mlir::net::WeightOp>(op) ||
        isConcatInPlace(&op))
      continue;
    auto mark = op.getAttrOfType<mlir::net::GroupAttr>(mlir::net::kGroupAttr);
    size_t index;
    if (mark && byId.count(mark.getId())) {
      index = byId[mark.getId()];
    } else {
      index = out.size();
      out.emplace_back();
      lastPos.push_back(0);
      if (mark)
        byId[mark.getId()] = index;
    }
    out[index].ops.push_back(&op);
    lastPos[index] = pos;
  }
  std::vector<size_t> order(out.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::stable_sort(order, [&](size_t a, size_t b) { return lastPos[a] < lastPos[b]; });
  std::vector<Group> sorted;
  for (size_t i : order)
    sorted.push_back(std::move(out[i]));
  out = std::move(sorted);
  // Inputs and outputs.
  for (Group &g : out) {
    llvm::SmallPtrSet<mlir::Operation *, 8> in(g.ops.begin(), g.ops.end());
    llvm::SetVector<mlir::Value> inputs, outputs;
    for (mlir::Operation *op : g.ops) {
      for (mlir::Value v : op->getOperands())
        if (!isWeight(v) && !in.count(v.getDefiningOp()))
          inputs.insert(v);
      for (mlir::Value r : op->getResults())
        for (mlir::Operation *user : r.getUsers())
          if (!in.count(user))
            outputs.insert(r);
    }
    g.inputs.assign(inputs.begin(), inputs.end());
    g.outputs.assign(outputs.begin(), outputs.end());
    g.flat = flatGroup(g);
  }
  return out;
}

/// Whether group `g` runs on its feature maps flattened to one row of
/// H x W pixels (N, C, 1, H*W): a sparse 1x1 convolution the flat kernel
/// takes (flatSparseConv), reading and writing plain channels-innermost
/// arena values, where pixel (x, y) is pixel y * W + x of the row. The
/// executor hands it such views of them (ValueDesc::flatViewOf).
bool flatGroup(const Group &g) {
  if (g.copy || g.ops.size() != 1 ||
      !(flatSparseConv(g.ops[0]) || flatGemmConv(g.ops[0])))
    return false;
  auto plain = [](mlir::Value v) {
    return shapeOf(v).size() == 4 && storedNhwc(v) && !storedCodes(v) &&
           !cropOf(v) && v.getDefiningOp();
  };
  return llvm::all_of(g.inputs, plain) && llvm::all_of(g.outputs, plain);
}

/// The input of a flat group whose storage its output may take (Step::
/// inPlace), or -1: the residual of its GEMM, which the epilogue reads at
/// the element it writes. Every element must be computed once: whole
/// blocks of channels and pixels, none shifted onto another; and the
/// residual must not be the GEMM's input, which every block reads whole.
/// In place, the residual's lines are written back where they were read,
/// instead of a second tensor's being fetched for the write and written
/// (resnet50's 56x56 conv3 at batch 8: a third less memory traffic).
int inPlaceInput(const Group &g) {
  if (!g.flat || g.outputs.size() != 1)
    return -1;
  auto conv = llvm::dyn_cast<mlir::net::FusedConvOp>(g.ops[0]);
  if (!conv || !flatGemmConv(conv) || !conv.getResidual() ||
      conv.getResidual() == conv.getInput() ||
      conv.getResidual().getType() != conv.getResult().getType())
    return -1;
  auto tile = conv->getAttrOfType<mlir::net::TileAttr>(mlir::net::kTileAttr);
  std::vector<int64_t> out = shapeOf(conv.getResult());
  if (out[1] % tile.getOc() || (out[2] * out[3]) % tile.getOw())
    return -1;
  for (auto [i, v] : llvm::enumerate(g.inputs))
    if (v == conv.getResidual())
      return (int)i;
  return -1;
}

/// The (N, C, 1, H*W) view of a feature map a flat group reads or writes.
std::vector<int64_t> flatShape(std::vector<int64_t> nchw) {
  return {nchw[0], nchw[1], 1, nchw[2] * nchw[3]};
}

std::string typeText(mlir::Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  t.print(os);
  return s;
}

/// What determines a group's kernel, as text: equal texts, equal code.
std::string signatureOf(const Group &g, const std::string &salt) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << salt << "\n";
  if (g.copy) {
    os << "copy " << typeText(g.inputs[0].getType()) << " nhwc "
       << storedNhwc(g.inputs[0]) << "\n";
    return s;
  }
  if (g.flat)
    os << "flat\n";
  llvm::DenseMap<mlir::Value, std::string> ref;
  for (auto [i, v] : llvm::enumerate(g.inputs)) {
    ref[v] = "in" + std::to_string(i) + (storedNhwc(v) ? "/nhwc" : "");
    // On a u8 grid (stored as codes, or f32 that an int8 max pool
    // quantizes again): the grid's scale and zero point.
    if (mlir::net::QdqOp q = mlir::net::quantizedSource(v)) {
      if (storedCodes(v))
        ref[v] += "/u8";
      os << "in" << i << " codes scale "
         << llvm::format("%.9g", q.getScale().convertToFloat())
         << " zero point " << q.getZeroPoint() << "\n";
    }
    if (std::optional<Crop> crop = cropOf(v)) // read with the concat's strides
      os << "in" << i << " crop of " << typeText(crop->whole.getType()) << "\n";
  }
  for (auto [i, op] : llvm::enumerate(g.ops)) {
    for (auto [k, r] : llvm::enumerate(op->getResults()))
      ref[r] = "%" + std::to_string(i) + "." + std::to_string(k);
    os << op->getName().getStringRef() << "(";
    for (mlir::Value v : op->getOperands())
      os << (isWeight(v) ? std::string("w") : ref.lookup(v)) << ":"
         << typeText(v.getType()) << ", ";
    os << ") ";
    // Everything but the group's id: equal groups elsewhere share the kernel.
    mlir::NamedAttrList attrs(op->getAttrDictionary());
    attrs.erase(mlir::net::kGroupAttr);
    attrs.getDictionary(op->getContext()).print(os);
    os << " -> ";
    for (mlir::Value r : op->getResults())
      os << typeText(r.getType()) << " ";
    os << "\n";
  }
  os << "outputs";
  for (mlir::Value v : g.outputs) {
    os << " " << ref.lookup(v) << (storedNhwc(v) ? "/nhwc" : "")
       << (storedCodes(v) ? "/u8" : "");
    if (std::optional<Crop> crop = cropOf(v)) // the strides are the concat's
      os << "/crop of " << typeText(crop->whole.getType());
  }
  return s;
}

/// Constrains a buffer of `shape` stored NCHW or channels innermost: static
/// extents and every stride (dense in `storage`: the shape of the tensor
/// it is a crop of, else its own; the batch is outermost, so they are all
/// constants): the kernel's address arithmetic folds.
template <typename Dims>
void constrain(Dims dim, const std::vector<int64_t> &shape, bool nhwc,
               const std::vector<int64_t> &storage) {
  size_t rank = shape.size();
  std::vector<int> order; // Halide dims, innermost first
  for (size_t d = 0; d < rank; ++d)
    order.push_back((int)d);
  if (nhwc && rank == 4)
    order = {2, 0, 1, 3};
  int64_t stride = 1;
  for (int hd : order) {
    int64_t extent = shape[rank - 1 - hd];
    if (extent >= 0)
      dim(hd).set_bounds(0, (int)extent);
    else
      dim(hd).set_min(0);
    dim(hd).set_stride((int)stride);
    int64_t whole = storage[rank - 1 - hd];
    stride *= whole >= 0 ? whole : 1; // only the outermost is the batch
  }
}

/// Lowers one group into a pipeline; the weight arguments' specs come
/// back in `weights`.
std::optional<LoweredEntry>
lowerGroup(const Group &g, const std::string &name, Param<int> &batch,
           std::vector<PrepSpec> &weights, std::string &error) {
  int counter = 0;
  LowerContext cx(counter);
  if (!g.ops.empty())
    if (mlir::net::TargetAttrInterface t = mlir::net::targetOf(g.ops.front()))
      cx.sumsApart = llvm::isa<mlir::net::GpuTargetAttr>(t);
  cx.batchParam = batch;
  cx.batch = batch;
  cx.model.name = name;
  for (auto [i, v] : llvm::enumerate(g.inputs)) {
    std::vector<int64_t> shape = g.flat ? flatShape(shapeOf(v)) : shapeOf(v);
    bool codes = storedCodes(v);
    ImageParam p(codes ? UInt(8) : isInt(v) ? Int(32) : Float(32),
                 (int)shape.size(), "in" + std::to_string(i));
    // A crop of a concat in place is read with the concat's strides.
    std::optional<Crop> crop = cropOf(v);
    std::vector<int64_t> whole = crop ? shapeOf(crop->whole) : shape;
    constrain([&](int d) { return p.dim(d); }, shape, storedNhwc(v), whole);
    Func f(cx.fresh("in"));
    std::vector<Var> vars = cx.makeVars(shape.size());
    f(vars) = p(cx.asExprs(vars));
    cx.values[v] = {f, shape, Func()};
    if (codes) {
      mlir::net::QdqOp q = mlir::net::quantizedSource(v);
      cx.values[v] = cx.onCodes(f, shape, q.getScale().convertToFloat(),
                                (int)q.getZeroPoint());
    }
    cx.model.inputs.push_back(p);
  }
  for (mlir::Operation *op : g.ops) {
    auto it = lowerings().find(op->getName().getStringRef());
    if (it == lowerings().end()) {
      error = "no Halide lowering for '" + op->getName().getStringRef().str() + "'";
      return std::nullopt;
    }
    if (failed(it->second(cx, op, error)))
      return std::nullopt;
    // net-layout's choice reaches the stage that computes the op.
    if (op->getNumResults() == 1 && storedNhwc(op->getResult(0))) {
      const HTensor &t = cx.get(op->getResult(0));
      int index = cx.stageOf(t.hasCodes() ? t.codes : t.f);
      if (index >= 0)
        cx.model.stages[index].channelsInnermost =
            cx.model.stages[index].vars.size() == 4;
    }
  }
  std::vector<mlir::Value> outs = g.copy ? g.inputs : g.outputs;
  for (mlir::Value v : outs) {
    HTensor t = cx.get(v);
    // A value stored as codes is handed on as them.
    Func value = storedCodes(v) && t.hasCodes() ? t.codes : t.f;
    // An output is a Func of its own: a stage no other output shares (a
    // copy when the value is an input or already an output).
    bool own = cx.stageOf(value) >= 0 && !g.copy &&
               llvm::none_of(cx.model.outputs,
                             [&](const Func &f) { return f.name() == value.name(); });
    Func out = value;
    if (!own) {
      std::vector<Var> vars = cx.makeVars(t.rank());
      out = Func(cx.fresh("copy"));
      out(vars) = value(cx.asExprs(vars));
      cx.model.stages.push_back(
          {OpStage::Copy, out, vars, t.shape, false, {}, RDom()});
    }
    bool nhwc = !g.copy && storedNhwc(v);
    if (g.flat && t.shape != flatShape(shapeOf(v))) {
      error = "internal error: a flat group's output was not flattened";
      return std::nullopt;
    }
    // A part of a concat in place: a crop with the concat's strides.
    std::optional<Crop> crop = g.copy ? std::nullopt : cropOf(v);
    std::vector<int64_t> whole = crop ? shapeOf(crop->whole) : t.shape;
    constrain([&](int d) { return out.output_buffer().dim(d); }, t.shape, nhwc,
              whole);
    cx.model.outputs.push_back(out);
    cx.model.outputDescs.push_back({out.name(), isInt(v), t.shape});
  }
  for (auto &[p, spec] : cx.weightArgs) {
    cx.model.inputs.push_back(p);
    weights.push_back(spec);
  }
  return std::move(cx.model);
}

/// The label of a group in listings: its first layer or op.
std::string labelOf(const Group &g) {
  if (g.copy)
    return "copy";
  for (mlir::Operation *op : g.ops)
    for (mlir::Value v : op->getOperands())
      if (auto w = v.getDefiningOp<mlir::net::WeightOp>()) {
        llvm::StringRef n = w.getName().split('#').first;
        n.consume_back(".weight");
        return n.str();
      }
  llvm::StringRef n = g.ops.back()->getName().getStringRef();
  n.consume_front("net.");
  return n.str();
}

/// An executor value holding `v`, stored channels innermost with `nhwc`.
ValueDesc describeValue(mlir::Value v, bool nhwc) {
  ValueDesc d;
  d.shape = shapeOf(v);
  d.elem = storedCodes(v) ? ElemType::U8 : isInt(v) ? ElemType::I32
                                                    : ElemType::F32;
  d.nhwc = nhwc;
  d.batched = llvm::is_contained(d.shape, -1);
  d.bytes = d.elem == ElemType::U8 ? 1 : 4;
  for (int64_t k : d.shape)
    d.bytes *= k >= 0 ? k : 1;
  return d;
}

/// Static liveness-based offsets: each arena value gets the lowest 64-byte
/// aligned offset free from its producing step to its last reader. Outputs
/// get a slot too, live to the end: Halide assumes the buffers a kernel
/// reads back (an update of its output) are aligned, so the executor writes
/// an output there when the caller's tensor is not 64-byte aligned, and
/// copies it over at the end.
void planArena(ExecEntry &e) {
  // A crop is stored in its parent: the parent is live from the first
  // write of any of its parts.
  // A flat view is stored in the value it views.
  auto home = [&](int v) {
    const ValueDesc &d = e.values[v];
    return d.parent >= 0 ? d.parent : d.flatViewOf >= 0 ? d.flatViewOf : v;
  };
  std::vector<int> last(e.values.size(), -1);
  for (auto [s, step] : llvm::enumerate(e.steps)) {
    for (int v : step.outputs)
      last[home(v)] = std::max(last[home(v)], (int)s);
    for (int v : step.inputs)
      last[home(v)] = std::max(last[home(v)], (int)s);
  }
  for (auto [id, v] : llvm::enumerate(e.values))
    if (v.home == ValueDesc::Output)
      last[id] = (int)e.steps.size();
  struct Live {
    int64_t offset, size;
    int last;
  };
  std::vector<Live> live[2]; // per image, fixed
  std::vector<bool> placed(e.values.size(), false);
  int64_t top[2] = {0, 0};
  for (auto [s, step] : llvm::enumerate(e.steps))
    for (int out : step.outputs) {
      int id = home(out);
      ValueDesc &v = e.values[id];
      if (v.home == ValueDesc::Input || placed[id])
        continue;
      placed[id] = true;
      std::vector<Live> &pool = live[v.batched ? 0 : 1];
      llvm::erase_if(pool, [&](const Live &l) { return l.last < (int)s; });
      // In place of an input read last here (Step::inPlace): its slot
      // lives on as this value's.
      if (step.inPlace >= 0 && out == step.outputs[0]) {
        int r = home(step.inputs[step.inPlace]);
        const ValueDesc &in = e.values[r];
        auto slot = llvm::find_if(pool, [&](const Live &l) {
          return l.offset == in.offset && l.last == (int)s;
        });
        if (in.home == ValueDesc::Arena && v.home == ValueDesc::Arena &&
            e.values[out].parent < 0 && placed[r] && last[r] == (int)s &&
            in.batched == v.batched && in.bytes == v.bytes &&
            in.nhwc == v.nhwc && slot != pool.end()) {
          v.offset = in.offset;
          slot->last = last[id];
          continue;
        }
        step.inPlace = -1;
      }
      llvm::sort(pool, [](const Live &a, const Live &b) { return a.offset < b.offset; });
      int64_t size = (v.bytes + 63) / 64 * 64, at = 0;
      for (const Live &l : pool) {
        if (at + size <= l.offset)
          break;
        at = std::max(at, l.offset + l.size);
      }
      v.offset = at;
      pool.push_back({at, size, last[id]});
      int64_t &t = top[v.batched ? 0 : 1];
      t = std::max(t, at + size);
    }
  for (ValueDesc &v : e.values)
    if (v.flatViewOf >= 0)
      v.offset = e.values[v.flatViewOf].offset;
  e.perImageBytes = top[0];
  e.fixedBytes = top[1];
}

class ProgramBuilder {
public:
  ProgramBuilder(Program &p, const std::string &salt) : prog(p), salt(salt) {}
  bool addEntry(mlir::func::FuncOp fn, std::string &error);

private:
  Program &prog;
  std::string salt;
  llvm::StringMap<int> kernelOf;   // signature -> kernel
  llvm::StringMap<int> preparedOf; // PrepSpec::key -> prepared id
  llvm::StringMap<int> rawOf;

  int prepared(const PrepSpec &spec, mlir::func::FuncOp fn) {
    auto [it, fresh] = preparedOf.try_emplace(spec.key(), (int)prog.prepared.size());
    if (fresh) {
      prog.prepared.push_back(spec);
      for (const std::string &s : spec.sources)
        if (!s.empty() && rawOf.try_emplace(s, (int)prog.raw.size()).second)
          prog.raw.push_back(rawDesc(fn, s));
    }
    return it->second;
  }
  static RawDesc rawDesc(mlir::func::FuncOp fn, const std::string &name) {
    RawDesc r{name, {}, nullptr, false};
    fn.walk([&](mlir::net::WeightOp w) {
      if (w.getName() == name && !r.op) {
        r.shape = shapeOf(w.getResult());
        r.op = w;
        r.embedded = w.getValueAttr() != nullptr;
      }
    });
    return r;
  }
};

bool ProgramBuilder::addEntry(mlir::func::FuncOp fn, std::string &error) {
  ExecEntry entry;
  entry.name = fn.getName().str();
  llvm::DenseMap<mlir::Value, int> ids;
  std::function<int(mlir::Value)> valueFor = [&](mlir::Value v) {
    if (auto it = ids.find(v); it != ids.end())
      return it->second;
    ValueDesc d = describeValue(v, storedNhwc(v));
    if (std::optional<Crop> crop = cropOf(v)) {
      d.parent = valueFor(crop->whole);
      d.channelOffset = crop->offset;
    }
    ids[v] = (int)entry.values.size();
    entry.values.push_back(d);
    return ids[v];
  };
  for (auto [i, arg] : llvm::enumerate(fn.getArguments()))
    if (!arg.use_empty()) {
      int id = valueFor(arg);
      entry.values[id].home = ValueDesc::Input;
      entry.values[id].index = (int)i;
      entry.inputIndices.push_back((int)i);
    }

  std::vector<Group> groups = groupsOf(fn);
  std::vector<int> copyTargets; // the output value of each copy group
  // Returned values: written straight into the caller's tensor when
  // stored NCHW by a group and returned once; otherwise copied there.
  auto ret = cast<mlir::func::ReturnOp>(fn.getBody().front().back());
  llvm::DenseSet<mlir::Value> direct;
  for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
    entry.outputDescs.push_back(
        {nameOf(fn.getResultAttrDict(i), "output" + std::to_string(i)), false,
         shapeOf(v)});
    if (fn.getResultAttr(i, mlir::net::kStateAttr))
      ++entry.numState;
    if (isWeight(v)) {
      error = "@" + entry.name + " returns a parameter ('" +
              v.getDefiningOp<mlir::net::WeightOp>().getName().str() +
              "'), which netc does not compile";
      return false;
    }
    bool byGroup = v.getDefiningOp() != nullptr;
    if (byGroup && !storedNhwc(v) && direct.insert(v).second) {
      int id = valueFor(v);
      entry.values[id].home = ValueDesc::Output;
      entry.values[id].index = (int)i;
      continue;
    }
    Group copy;
    copy.copy = true;
    copy.inputs = {v};
    groups.push_back(copy);
    ValueDesc d = describeValue(v, /*nhwc=*/false); // outputs are NCHW
    d.home = ValueDesc::Output;
    d.index = (int)i;
    entry.values.push_back(d);
    copyTargets.push_back((int)entry.values.size() - 1);
  }

  size_t copies = 0;
  for (Group &g : groups) {
    Step step;
    step.label = labelOf(g);
    std::string sig = signatureOf(g, salt);
    auto [it, fresh] = kernelOf.try_emplace(sig, (int)prog.kernels.size());
    std::vector<PrepSpec> weights;
    Param<int> batch("N");
    std::string kname = "netc_k" + std::to_string(it->second) + "_" +
                        sanitize(g.copy ? "copy"
                                        : g.ops.back()->getName().getStringRef()
                                              .drop_front(4).str());
    // Every group is lowered (cheap) for its weights' specs; the first of
    // each signature also keeps its pipeline as the kernel.
    std::optional<LoweredEntry> lowered =
        lowerGroup(g, kname, fresh ? batch : prog.kernels[it->second].batch,
                   weights, error);
    if (!lowered)
      return false;
    if (fresh) {
      Kernel k;
      k.name = kname;
      k.signature = sig;
      k.batch = batch;
      k.numInputs = g.copy ? 1 : g.inputs.size();
      k.vnni = llvm::any_of(lowered->stages, [](const OpStage &s) {
        return s.tile.int8Dot == 4;
      });
      k.pipeline.name = kname;
      for (size_t i = 0; i < lowered->inputs.size(); ++i) {
        const ImageParam &p = lowered->inputs[i];
        TensorDesc d{p.name(), p.type().is_int(), {}};
        if (i < k.numInputs) {
          d.shape = shapeOf(g.inputs[i]);
        } else {
          const PrepSpec &w = weights[i - k.numInputs];
          d.shape.assign(w.extents.rbegin(), w.extents.rend());
        }
        lowered->inputIndices.push_back((int)k.pipeline.inputDescs.size());
        k.pipeline.inputDescs.push_back(d);
      }
      k.pipeline.entries.push_back(std::move(*lowered));
      prog.kernels.push_back(std::move(k));
    }
    step.kernel = it->second;
    // A flat group's views of its values (flatGroup): the extents of
    // (N, C, 1, H*W), the storage and strides of the value itself.
    auto argument = [&](mlir::Value v) {
      int id = valueFor(v);
      if (!g.flat)
        return id;
      ValueDesc view = entry.values[id];
      view.shape = flatShape(view.shape);
      view.flatViewOf = id;
      entry.values.push_back(view);
      return (int)entry.values.size() - 1;
    };
    for (mlir::Value v : g.inputs)
      step.inputs.push_back(argument(v));
    step.inPlace = inPlaceInput(g);
    if (g.copy)
      step.outputs.push_back(copyTargets[copies++]);
    else
      for (mlir::Value v : g.outputs)
        step.outputs.push_back(argument(v));
    for (const PrepSpec &w : weights)
      step.weights.push_back(prepared(w, fn));
    entry.steps.push_back(std::move(step));
  }
  planArena(entry);
  prog.entries.push_back(std::move(entry));
  return true;
}

} // namespace

std::optional<Program> netc::lowerToKernels(mlir::ModuleOp module,
                                            const std::string &salt,
                                            std::string &error) {
  auto forward = module.lookupSymbol<mlir::func::FuncOp>("forward");
  if (!forward) {
    error = "the module has no @forward function";
    return std::nullopt;
  }
  Program prog;
  auto name = module->getAttrOfType<mlir::StringAttr>("net.model");
  prog.name = name ? name.str() : "model";
  for (unsigned i = 0; i < forward.getNumArguments(); ++i)
    prog.inputDescs.push_back(inputDesc(forward, i));
  ProgramBuilder builder(prog, salt);
  for (const char *entry : {"forward", "loss", "backward", "train"}) {
    auto fn = module.lookupSymbol<mlir::func::FuncOp>(entry);
    if (!fn)
      continue;
    if (fn.getNumArguments() != prog.inputDescs.size()) {
      error = std::string("@") + entry + " must take the same inputs as @forward";
      return std::nullopt;
    }
    if (!builder.addEntry(fn, error))
      return std::nullopt;
  }
  return prog;
}
