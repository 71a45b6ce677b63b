//===- Lowered.h - A model as Halide Funcs (internal) -----------*- C++ -*-===//
//
// What NetToHalide produces and the schedules consume: kernels (the
// algorithm of each fusion group), the executor's call sequence, and how
// each weight argument is prepared.
// Halide dims are the reverse of the NCHW dims (dim 0 = innermost = W).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_CODEGEN_LOWERED_H
#define NETC_CODEGEN_LOWERED_H

#include "codegen/Codegen.h"
#include "codegen/WeightPrep.h"

#include "Halide.h"

#include <string>
#include <vector>

namespace netc {

/// An input, output or loss as the descriptor lists it (-1: batch).
struct TensorDesc {
  std::string name;
  bool isInt = false;
  std::vector<int64_t> shape;
};

/// How an executor value's elements are stored. Must match
/// NETC_VALUE_* in executor/Runtime.c.
enum class ElemType { F32 = 0, I32 = 1, U8 = 2 };

/// Output features per block of a fully connected layer: the weights are
/// stored in such blocks and the schedule computes one block per task.
constexpr int kFcBlock = 16;

/// One op's Func with what its schedule needs to know.
struct OpStage {
  enum Kind { Conv, Fc, Pool, Elementwise, Reduction, Copy };
  OpStage(Kind kind, Halide::Func func, std::vector<Halide::Var> vars,
          std::vector<int64_t> shape, bool hasUpdate,
          std::vector<Halide::Func> helpers = {},
          Halide::RDom rdom = Halide::RDom())
      : kind(kind), func(func), vars(std::move(vars)),
        shape(std::move(shape)), hasUpdate(hasUpdate),
        helpers(std::move(helpers)), rdom(rdom) {}

  Kind kind;
  Halide::Func func;
  std::vector<Halide::Var> vars; // innermost first
  std::vector<int64_t> shape;    // NCHW, -1 for the batch
  bool hasUpdate = false;
  std::vector<Halide::Func> helpers; // intermediate Funcs (e.g. softmax sums)
  Halide::RDom rdom;                 // the update's reduction, if any

  // Set from the net passes' attributes (-O2); the schedule reads them.
  bool channelsInnermost = false; // net.layout = "nhwc": stored as (c, x, y, n)
  struct Tile {
    int vec = 0, oc = 0, ow = 0; // vec == 0: no register tile
    bool blocksOuter = false;    // order "oc,n,y,ow" (else "n,y,oc,ow")
    int int8Dot = 0; // int8: products per int32 lane (4 vpdpbusd, 2 vpmaddwd)
    int pixels = 0;  // > 0: a 1x1 GEMM on its map flattened, tasks of pixels
  } tile;
  // A tiled convolution: `func` is the epilogue, `acc` the reduction it
  // reads (computed per register tile), `paddedInput` the zero-padded input
  // (undefined when the conv has no padding).
  Halide::Func acc, paddedInput;

  // A convolution the tile marks `algo = "winogradM"` (m > 0): `func` is
  // the epilogue over the output transform; the schedule places the
  // stages (ConvSchedule.cpp). GEMM blocks are tile.oc x tile.ow tiles.
  struct Winograd {
    int m = 0;              // output tile m x m, 0: direct convolution
    bool perImage = false;  // order "n,e,oc,tiles": all GEMMs per image
    Halide::Func bx, v;     // input transform (along x, then y)
    Halide::Func u;         // transformed filter (constant)
    Halide::Func acc, gemm; // GEMM sums per register block, and M
    Halide::Func ot;        // output transform along x
    Halide::RDom rc;        // input channels
    std::vector<Halide::Var> vars; // c, tx, ty, n, a, b, e, i, j
  } wino;

  // A convolution with a sparse kernel (SparseLowering.cpp): `func`
  // is the epilogue over `blk`, the tile sums per channel block, which
  // `acc` computes per output channel from the transposed input tile `xt`.
  struct Sparse {
    int vec = 0;  // lanes, and the columns of a tile; 0: not sparse
    int rows = 0; // rows of a tile
    Halide::Func xt, acc, blk;
    Halide::RDom r;                      // a channel's nonzeros
    std::vector<Halide::Var> tileVars;   // xi, yi, o, xo, yo, n
    int inWidth = 0, inRows = 0;         // the input a tile reads
    bool fc = false; // an fc layer's sparse kernel (xt: its flattened input)
    // A flat kernel (1x1 on a map flattened to one row): chunks of `vec`
    // pixels per tile; `xt0` and `xt` are the input by chunk, channels
    // innermost and transposed, `tr` the sums transposed back.
    int flatTile = 0;
    Halide::Func xt0, tr;
  } sparse;

  // An untiled convolution's epilogue: `sums` is the Conv stage before it
  // (its reduction), read at the same point. The x86 templates compute
  // it as a stage of its own; the GPU ones per thread, in registers.
  Halide::Func sums;
  // The zero-padded input the sums read (GPU targets: defined everywhere,
  // so a template may stage windows of it).
  Halide::Func sumsInput;

  // A reduction computed by register tiles (GradSchedule.cpp): the
  // gradient kernels, and on x86 the untiled convolutions (fewer channels
  // than a vector). `func` is pure over `acc`, the reduction (rdom), over
  // `vars`; vars[0] is vectorized and vars[regTileVar] unrolled across a
  // tile of `regTile`. With `regLanes`, `func` instead sums `acc` over its first
  // dim (vector lanes of a reduction over pixels, conv_grad_weight), which
  // is tiled over its dim regTileVar.
  int regTileVar = -1;
  int regTile = 0;
  bool regLanes = false;

  bool inlined = false; // computed inside a consumer's schedule

  // `func` is a net.qdq's u8 codes of what this stage computed (lowerQdq):
  // the stage's own f32 Func is inlined into them.
  bool requantized = false;
  /// Whether a qdq may take over this stage: a tiled direct convolution
  /// (its epilogue is a pure Func over the sums) or a pure elementwise op.
  bool requantizable() const {
    if (tile.vec)
      return !wino.m;
    return kind == Elementwise && !hasUpdate && helpers.empty() && !sparse.vec;
  }

  // A pool marked net.fuse_producer (NetFusePool): computed in strips of
  // `stripRows` output rows, with the tiled convolution it reads (the
  // stage at index `producer` of the entry, `inlined`) computed per strip.
  int producer = -1;
  int stripRows = 0;
};

/// A Halide pipeline with its stages: one kernel (name = its C symbol).
struct LoweredEntry {
  std::string name;
  std::vector<Halide::ImageParam> inputs; // activations, then weights
  std::vector<int> inputIndices;          // ...as indices into inputDescs
  std::vector<Halide::Func> outputs;
  std::vector<TensorDesc> outputDescs;
  std::vector<OpStage> stages; // in program order
};

struct LoweredModel {
  std::string name;
  std::vector<TensorDesc> inputDescs; // the shapes of entries' inputs
  std::vector<LoweredEntry> entries;
};

/// One kernel: the Halide pipeline of a fusion group, compiled once and
/// called by every group with its signature. Arguments: the batch N, the
/// activation inputs, the weights (each prepared by a PrepSpec), then the
/// outputs.
struct Kernel {
  std::string name;      // C symbol, netc_kI_<op>
  std::string signature; // what determines its code (ops, types, target)
  LoweredModel pipeline; // one entry; inputs are activations + weights
  Halide::Param<int> batch{"N"};
  size_t numInputs = 0;  // activation inputs (the rest of inputs: weights)
  bool vnni = false;     // has VNNI int8 convolutions (int8KernelTarget)
  std::vector<std::string> schedule; // the log of scheduling decisions
  std::vector<Halide::Argument> arguments() const {
    std::vector<Halide::Argument> args = {batch};
    for (const Halide::ImageParam &p : pipeline.entries[0].inputs)
      args.push_back(p);
    return args;
  }
};

/// A tensor an entry point's executor handles.
struct ValueDesc {
  enum Home { Arena, Input, Output } home = Arena;
  int index = -1; // Input/Output: the model input / entry output index
  std::vector<int64_t> shape; // NCHW, -1: batch
  ElemType elem = ElemType::F32; // U8: a net.qdq value's codes
  bool nhwc = false;  // stored channels innermost (rank 4)
  int64_t bytes = 0;  // static size (per image when batched)
  bool batched = false;
  int64_t offset = 0; // Arena: in the per-image or the fixed region
  // A part of a concat written in place (net.in_place): a crop of value
  // `parent` from channel `channelOffset` on; it has no storage of its own.
  int parent = -1;
  int64_t channelOffset = 0;
  // A view of value `flatViewOf` as (N, C, 1, H*W) for a kernel that runs
  // on its map flattened (NetToHalide.cpp, flatGroup): the arena plan
  // gives it that value's offset, and its strides are those of its own
  // dense shape, the same bytes.
  int flatViewOf = -1;
};

/// One kernel call.
struct Step {
  int kernel = -1;
  std::string label; // the group's first layer, for --emit=halide
  std::vector<int> inputs, outputs; // value ids
  std::vector<int> weights;         // prepared weight ids
  // An input whose storage the (one) output may take when this call reads
  // it last (planArena): the kernel reads each of its elements once, where
  // it writes the same element of the output (a GEMM's residual). -1: none,
  // or the plan kept them apart.
  int inPlace = -1;
};

struct ExecEntry {
  std::string name;              // "forward" | "loss" | "backward"
  std::vector<int> inputIndices; // model inputs it reads
  std::vector<TensorDesc> outputDescs;
  int numState = 0; // trailing outputs that are buffers' new values (net.state)
  std::vector<ValueDesc> values;
  std::vector<Step> steps;
  int64_t perImageBytes = 0, fixedBytes = 0; // the arena: N * per image + fixed
};

/// A raw parameter: what the weights file holds, or a value a pass made.
struct RawDesc {
  std::string name;
  std::vector<int64_t> shape;
  mlir::Operation *op = nullptr; // its net.weight
  bool embedded = false;         // the op has its value: stored in the library
};

/// A whole model: kernels, the entry points' call sequences, and the weights.
struct Program {
  std::string name;
  std::vector<TensorDesc> inputDescs; // every model input, in order
  std::vector<Kernel> kernels;
  std::vector<ExecEntry> entries; // forward first, then loss if any
  std::vector<PrepSpec> prepared; // every kernel weight argument, deduplicated
  std::vector<RawDesc> raw;       // the parameters they are prepared from
};

/// Groups `module`'s @forward (and @loss) into kernels, lowers each group
/// to a Halide pipeline (the algorithm only; groups with equal signatures
/// share one kernel) and plans each entry's arena. `signatureSalt` joins
/// every signature (target and schedule options). On failure returns
/// nullopt and says why in `error`.
std::optional<Program> lowerToKernels(mlir::ModuleOp module,
                                      const std::string &signatureSalt,
                                      std::string &error);

/// The Halide Target for a `--target=` value.
Halide::Target halideTarget(const std::string &target);
/// This machine's target as Halide sees it, less what the CPU cannot run.
Halide::Target hostTarget();
/// Whether int8 layers compiled for `--target=t` may use AVX-512 VNNI:
/// `x86-64-avx512-vnni`, or a host whose CPU runs the Sapphire Rapids
/// AVX-512 set but AMX, FP16 and AVX-VNNI (AMD Zen 4/5, Sapphire Rapids;
/// not Cascade or Ice Lake, which get the vpmaddwd kernels).
bool targetHasVnni(const std::string &t);
/// The Halide target of a kernel with VNNI int8 convolutions: `t` with
/// Halide's Sapphire Rapids feature, which gates its vpdpbusd patterns
/// (and lets LLVM use that CPU's other AVX-512 extensions: hence the host
/// test above). Its code may hold AVX-VNNI's VEX forms, which Zen 4
/// lacks: such a kernel is compiled to assembly and assembled without the
/// {vex} prefix (Generate.cpp), so every VNNI instruction is the AVX-512
/// form; `--emit=asm` prints the assembly before that step.
Halide::Target int8KernelTarget(const Halide::Target &t);

} // namespace netc

#endif // NETC_CODEGEN_LOWERED_H
