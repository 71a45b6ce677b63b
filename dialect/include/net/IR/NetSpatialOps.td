//===- NetSpatialOps.td - dwconv, deconv, minpool, global pools, l -*- tablegen -*-===//
//
// Ops of the spatial family: dwconv, deconv, minpool, global pools, lrn, residual, upsample.
// Included by NetOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NET_SPATIAL_OPS_TD
#define NET_SPATIAL_OPS_TD

#endif // NET_SPATIAL_OPS_TD
