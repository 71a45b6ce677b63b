//===- Registration.cpp - Dialects and net pass pipeline ------------------===//
//
// Shared by netc and net-opt; free of command-line options so that net-opt
// (which has MlirOptMain's) can link it.
//
//===----------------------------------------------------------------------===//
#include "driver/Driver.h"

#include "net/IR/NetDialect.h"
#include "net/IR/NetGradients.h"
#include "net/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

void netc::registerNetDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::net::NetDialect, mlir::func::FuncDialect>();
  mlir::net::registerGradientModels(registry);
}

void netc::buildPrunePipeline(mlir::PassManager &pm,
                               const CompressionRequest &prune) {
  if (prune.kind == CompressionRequest::Kind::magnitude) {
    mlir::net::NetPruneMagnitudeOptions opts;
    opts.sparsity = prune.sparsity;
    opts.skip = prune.skip; // copied into the pass
    pm.addPass(mlir::net::createNetPruneMagnitude(opts));
  } else if (prune.kind == CompressionRequest::Kind::channels) {
    mlir::net::NetPruneChannelsOptions opts;
    opts.sparsity = prune.sparsity;
    pm.addPass(mlir::net::createNetPruneChannels(opts));
  }
}

void netc::buildNetPipeline(mlir::PassManager &pm, int optLevel,
                             const TargetDesc &target,
                             const CompressionRequest &prune) {
  // Pruning works on the weights as loaded, before anything folds them.
  buildPrunePipeline(pm, prune);
  if (prune.train) {
    mlir::net::NetDifferentiateOptions opts;
    opts.batchStats = prune.batchStats;
    opts.momentum = prune.momentum;
    pm.addPass(mlir::net::createNetDifferentiate(opts));
  }
  // Dead layers (those no output needs) go away at every level.
  pm.addPass(mlir::createCanonicalizerPass());
  if (optLevel >= 1)
    pm.addPass(mlir::createCSEPass());
  // Weight sharing clusters what the library stores: after every pass
  // that rewrites weights (net-fold-batchnorm), before the groups.
  auto share = [&] {
    if (!prune.share)
      return;
    mlir::net::NetShareWeightsOptions opts;
    opts.convEntries = prune.convEntries;
    opts.fcEntries = prune.fcEntries;
    pm.addPass(mlir::net::createNetShareWeights(opts));
  };
  // int8: calibrated on the fused layers' inputs, before layouts and tiles.
  auto quantize = [&] {
    if (!prune.quantize)
      return;
    mlir::net::NetCalibrateOptions cal;
    cal.calibration = prune.calibration;
    cal.method = prune.calibrate;
    pm.addPass(mlir::net::createNetCalibrate(cal));
    pm.addPass(mlir::net::createNetQuantize());
  };
  if (optLevel < 2) {
    quantize();
    share();
    pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetGroup());
    return;
  }
  // Fusion first (it decides which ops remain), then storage and tiles.
  mlir::net::NetFoldBatchNormOptions fold;
  fold.foldWeights = !prune.train; // a train step updates the raw parameters
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetFoldBatchNorm(fold));
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetFuseConv());
  quantize();
  mlir::net::NetLayoutOptions layout;
  layout.vectorWidth = target.vectorWidth;
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetLayout(layout));
  mlir::net::NetTileOptions tile;
  tile.vectorWidth = target.vectorWidth;
  tile.registers = target.registers;
  tile.l2Bytes = target.l2Bytes;
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetTile(tile));
  // Pruned layers: the dense kernel just tiled, or a sparse one.
  mlir::net::NetSparseOptions sparse;
  sparse.mode = prune.kernels;
  sparse.vectorWidth = target.vectorWidth;
  sparse.registers = target.registers;
  sparse.l2Bytes = target.l2Bytes;
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetSparse(sparse));
  mlir::net::NetFusePoolOptions pool;
  pool.l2Bytes = target.l2Bytes;
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetFusePool(pool));
  mlir::net::NetFuseExpandOptions expand;
  expand.l2Bytes = target.l2Bytes;
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetFuseExpand(expand));
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetConcatInPlace());
  // After every fusion decision: the 1x1 layers left on their own.
  mlir::net::NetTileGemmOptions gemm;
  gemm.vectorWidth = target.vectorWidth;
  gemm.registers = target.registers;
  gemm.l2Bytes = target.l2Bytes;
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetTileGemm(gemm));
  share();
  // Last: the groups follow every fusion decision.
  pm.addNestedPass<mlir::func::FuncOp>(mlir::net::createNetGroup());
}

void netc::registerNetPasses() { mlir::net::registerNetPasses(); }
