//===- WinogradLowering.cpp - 3x3 convolutions as Winograd F(m x m, 3 x 3) -===//
//
// Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (2015):
// an m x m output tile of a 3x3 convolution is A^T [ U (.) V ] A, where
// V = B^T d B transforms the (m+2) x (m+2) input tile d, U = G g G^T the
// filter g, and (.) multiplies elementwise per frequency e (t*t of them,
// t = m + 2) while summing over the input channels: one GEMM per
// frequency, K x C times C x tiles. That is (m+2)^2 multiplies per tile and
// channel pair instead of 9 m^2: 2.25x fewer for F(2x2,3x3), 4x fewer for
// F(4x4,3x3), at the price of the transforms and some rounding (measured
// ~1e-5 relative for F(4,3), ~5e-7 for F(2,3) on 512 channels).
//
// The filter transform is a weight preparation (WeightPrep.h), applied in
// double precision to the (batchnorm-folded) weights when the library is
// opened: transformed filters are 4x (F(4x4)) the size of the 3x3 ones, so
// the library stores the untransformed weights. The kernel gets U as a
// weight argument, output channels fastest (what the GEMM loads as vectors).
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/LowerContext.h"

using namespace netc;
using namespace Halide;

namespace {

using Matrix = std::vector<std::vector<double>>;

/// The input (B^T) and output (A^T) transforms; the filter transform G is
/// applied when the library is opened (executor/Runtime.c, prep_winograd).
struct Transforms {
  Matrix BT, AT;
};

const Transforms &transformsFor(int m) {
  static const Transforms f2 = {
      {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}},
      {{1, 1, 1, 0}, {0, 1, -1, -1}}};
  // Interpolation points 0, +-1, +-2 and infinity.
  static const Transforms f4 = {
      {{4, 0, -5, 0, 1, 0},
       {0, -4, -4, 1, 1, 0},
       {0, 4, -4, -1, 1, 0},
       {0, -2, -1, 2, 1, 0},
       {0, 2, -1, -2, 1, 0},
       {0, 4, 0, -5, 0, 1}},
      {{1, 1, 1, 1, 1, 0},
       {0, 1, -1, 2, -2, 0},
       {0, 1, 1, 4, 4, 0},
       {0, 1, -1, 8, -8, 1}}};
  return m == 4 ? f4 : f2;
}

/// sum_i coef[i] * term(i) over the nonzero coefficients only, so the
/// transforms cost adds, not multiplies by 0 and 1.
template <typename Term>
Expr combine(const std::vector<double> &coef, Term term) {
  Expr sum;
  for (size_t i = 0; i < coef.size(); ++i) {
    double k = coef[i];
    if (k == 0)
      continue;
    Expr t = term((int)i);
    if (k == -1)
      t = -t;
    else if (k != 1)
      t = t * (float)k;
    sum = sum.defined() ? sum + t : t;
  }
  return sum.defined() ? sum : Expr(0.0f);
}

} // namespace

Expr netc::lowerWinograd(LowerContext &cx, const HTensor &x,
                         PrepSpec filter, int K,
                         llvm::ArrayRef<int64_t> pad, int m,
                         const std::vector<Var> &v, const std::string &layer,
                         OpStage::Winograd &parts) {
  const Transforms &T = transformsFor(m);
  int t = m + 2;
  int C = (int)x.shape[1];
  parts.m = m;
  std::vector<Var> &wv = parts.vars;
  wv = {Var("wc"), Var("wtx"), Var("wty"), Var("wn"), Var("wa"),
        Var("wb"),  Var("we"),  Var("wi"),  Var("wj")};
  Var c = wv[0], tx = wv[1], ty = wv[2], n = wv[3], a = wv[4], b = wv[5],
      e = wv[6], i = wv[7], j = wv[8];
  int px = (int)pad[1], py = (int)pad[0];

  // Input transform, one direction at a time: Bx along x for each input
  // row j of the tile, then V along y. Taps outside the input are zeros
  // (both sides are guarded: the last tiles may reach past the edge).
  Func bx(cx.fresh(layer + "_wino_bx")), vin(cx.fresh(layer + "_wino_v"));
  std::vector<int64_t> guardBoth(2, 1);
  std::vector<Expr> rows;
  for (int aa = 0; aa < t; ++aa)
    rows.push_back(combine(T.BT[aa], [&](int ii) {
      return LowerContext::padded(
          x, {tx * m + ii - px, ty * m + j - py, c, n}, guardBoth);
    }));
  bx(c, tx, a, j, ty, n) = mux(a, rows);
  std::vector<Expr> freq;
  for (int bb = 0; bb < t; ++bb)
    for (int aa = 0; aa < t; ++aa)
      freq.push_back(combine(
          T.BT[bb], [&](int jj) { return bx(c, tx, aa, jj, ty, n); }));
  vin(c, tx, e, ty, n) = mux(e, freq);

  // One GEMM per frequency e; the sums live in a small Func computed per
  // register block, then land in M.
  // U(k, c, a + t*b) = (G g G^T)[a][b], output channels fastest: prepared
  // when the library is opened (executor/Runtime.c), from the folded g.
  filter.extents = {K, C, t * t};
  filter.strides = stridesFor(filter.extents, {0, 1, 2});
  Func u = cx.prepared(filter, layer + "_wino_w");
  Func uf(cx.fresh(layer + "_wino_u"));
  uf(v[2], c, e) = u(v[2], c, e);
  RDom rc(0, C, cx.fresh("r_wino"));
  Var k = v[2];
  Func macc(cx.fresh(layer + "_wino_sum")), mm(cx.fresh(layer + "_wino_m"));
  macc(k, tx, e, ty, n) = 0.0f;
  macc(k, tx, e, ty, n) += uf(k, rc, e) * vin(rc, tx, e, ty, n);
  mm(k, tx, e, ty, n) = macc(k, tx, e, ty, n);

  // Output transform, again one direction at a time.
  Func ot(cx.fresh(layer + "_wino_out"));
  std::vector<Expr> outRows;
  for (int ii = 0; ii < m; ++ii)
    outRows.push_back(combine(
        T.AT[ii], [&](int aa) { return mm(k, tx, aa + t * b, ty, n); }));
  ot(k, tx, i, b, ty, n) = mux(i, outRows);
  Var ox = v[0], oy = v[1], on = v[3];
  std::vector<Expr> ys;
  for (int jj = 0; jj < m; ++jj)
    ys.push_back(combine(T.AT[jj], [&](int bb) {
      return ot(k, ox / m, ox % m, bb, oy / m, on);
    }));
  parts.bx = bx, parts.v = vin, parts.u = uf, parts.acc = macc, parts.gemm = mm;
  parts.ot = ot, parts.rc = rc;
  return mux(oy % m, ys);
}
