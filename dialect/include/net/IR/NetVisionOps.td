//===- NetVisionOps.td - gram, correlation and the loss terms bce -*- tablegen -*-===//
//
// Ops of the vision family: gram, correlation and the loss terms bce, triplet, contrastive, content_cost, style_cost, epe.
// Included by NetOps.td.
//
//===----------------------------------------------------------------------===//
#ifndef NET_VISION_OPS_TD
#define NET_VISION_OPS_TD

#endif // NET_VISION_OPS_TD
