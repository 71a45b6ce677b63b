/*===- netrt.h - The C ABI of netc-compiled models and of libnetrt -*- C -*-===*
 *
 * Every libNAME.so written by netc exports `netrt_model()` (the descriptor
 * below) and NAME_forward / NAME_last_error.  libnetrt opens such a library,
 * checks the ABI version, validates shapes and runs it; net-run and the Python
 * module are thin layers over it.  This header is plain C99 and is restated
 * (verbatim) at the top of every generated NAME.h.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NETRT_H
#define NETRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NETRT_ABI_VERSION 1
#define NETRT_MAX_RANK 8

typedef enum netrt_dtype { NETRT_F32 = 0, NETRT_I32 = 1 } netrt_dtype;

/* Static description of one input, output or loss. A dim of -1 is symbolic
 * (the run-time batch N). */
typedef struct netrt_tensor_info {
  const char *name;
  int32_t dtype; /* netrt_dtype */
  int32_t rank;
  int64_t shape[NETRT_MAX_RANK];
} netrt_tensor_info;

/* A dense, C-ordered tensor owned by the caller. */
typedef struct netrt_tensor {
  void *data;
  int32_t dtype; /* netrt_dtype */
  int32_t rank;
  int64_t shape[NETRT_MAX_RANK];
} netrt_tensor;

/* An entry point: inputs in descriptor order, outputs in descriptor order
 * (allocated by the caller with the shapes the descriptor implies).
 * Returns 0 on success; otherwise the calling thread's last_error() says why.
 * Safe to call from several threads at once on different buffers. */
typedef int (*netrt_entry_fn)(const netrt_tensor *inputs, netrt_tensor *outputs);

typedef struct netrt_model_info {
  int32_t abi_version; /* NETRT_ABI_VERSION */
  const char *name;
  int32_t num_inputs;
  const netrt_tensor_info *inputs;
  int32_t num_outputs;
  const netrt_tensor_info *outputs;
  int32_t num_losses; /* outputs of the loss entry point */
  const netrt_tensor_info *losses;
  netrt_entry_fn forward;  /* always present */
  netrt_entry_fn loss;     /* NULL unless built with losses */
  netrt_entry_fn backward; /* NULL unless built with --train */
  const char *(*last_error)(void); /* message of this thread's last failure */
  void (*set_num_threads)(int threads);
} netrt_model_info;

/* Exported by every model library. */
typedef const netrt_model_info *(*netrt_model_fn)(void);
#define NETRT_MODEL_SYMBOL "netrt_model"

/*===-------------------------- libnetrt ----------------------------------===*/
typedef struct netrt_handle netrt_handle;

/* Opens a model library. On failure returns NULL and writes a message to
 * `err` (if non-NULL, at most err_size bytes). */
netrt_handle *netrt_open(const char *path, char *err, size_t err_size);
void netrt_close(netrt_handle *h);
const netrt_model_info *netrt_info(const netrt_handle *h);

/* Resolves every symbolic dim from the inputs, checks each input's dtype, rank
 * and shape against the descriptor, and fills the shapes (not the data) of
 * `outputs` (num_outputs of them, or num_losses with `which` = "loss").
 * Returns 0, or non-zero with a message naming the expected shape in `err`. */
int netrt_check_inputs(const netrt_handle *h, const netrt_tensor *inputs,
                       int32_t num_inputs, char *err, size_t err_size);
int netrt_output_shapes(const netrt_handle *h, const char *which,
                        const netrt_tensor *inputs, netrt_tensor *outputs);

/* Validates, then runs an entry point ("forward", "loss" or "backward"). */
int netrt_run(const netrt_handle *h, const char *which,
              const netrt_tensor *inputs, int32_t num_inputs,
              netrt_tensor *outputs, char *err, size_t err_size);

/* Number of elements of a tensor. */
int64_t netrt_numel(const netrt_tensor *t);

/*--- Additions (libnetrt side of ABI 1) ------------------------------------*/

/* Optional exports of a model library, looked up with dlsym:
 * - NETRT_GRADS_SYMBOL: the outputs of the backward entry point, in the order
 *   it writes them (the gradient of the sum of the losses w.r.t. each
 *   parameter, named as in the weights file, then each f32 input, named as
 *   the input). Required for netrt_run(..., "backward", ...).
 * - NETRT_FORWARD_INPUTS_SYMBOL: a bit mask of the inputs the forward entry
 *   point reads (bit i = input i); an input outside it (a label only used by
 *   losses) may then be passed to "forward" with data = NULL. Without this
 *   export every input is needed. */
typedef const netrt_tensor_info *(*netrt_grads_fn)(int32_t *num_grads);
#define NETRT_GRADS_SYMBOL "netrt_model_grads"
typedef uint64_t (*netrt_forward_inputs_fn)(void);
#define NETRT_FORWARD_INPUTS_SYMBOL "netrt_forward_inputs"

/* Weights as data. A model library lists the raw parameters its kernels are
 * prepared from (the names and shapes of the weights file):
 * - NETRT_WEIGHTS_SYMBOL: that list; *embedded is 1 when the library holds
 *   their values (the default), 0 when built with --no-embed-weights;
 * - NETRT_WEIGHTS_CREATE_SYMBOL: prepares a set of weights from f32 tensors
 *   in that order (copied; NULL on failure, last_error() says why);
 * - NETRT_WEIGHTS_DESTROY_SYMBOL: releases such a set;
 * - NETRT_RUN_WITH_WEIGHTS_SYMBOL: runs an entry point with a set (several
 *   sets, and threads, may run at once). */
typedef const netrt_tensor_info *(*netrt_weights_fn)(int32_t *count,
                                                     int32_t *embedded);
#define NETRT_WEIGHTS_SYMBOL "netrt_model_weights"
typedef void *(*netrt_weights_create_fn)(const netrt_tensor *weights);
#define NETRT_WEIGHTS_CREATE_SYMBOL "netrt_weights_create"
typedef void (*netrt_weights_destroy_fn)(void *weights);
#define NETRT_WEIGHTS_DESTROY_SYMBOL "netrt_weights_destroy"
typedef int (*netrt_run_with_weights_fn)(const char *which, const void *weights,
                                         const netrt_tensor *inputs,
                                         netrt_tensor *outputs);
#define NETRT_RUN_WITH_WEIGHTS_SYMBOL "netrt_run_with_weights"
/* Bytes of the arena an entry point allocates per call, for a batch. */
typedef int64_t (*netrt_arena_bytes_fn)(const char *which, int64_t batch);
#define NETRT_ARENA_BYTES_SYMBOL "netrt_model_arena_bytes"
/* Prepares the library's own weights (decoding --compress's): netrt_open
 * calls it, so an opened library is ready to run; 0 or -1 (last_error()). */
typedef int (*netrt_prepare_fn)(void);
#define NETRT_PREPARE_SYMBOL "netrt_model_prepare"
/* The embedded weights' bytes as stored in the library and as f32. */
typedef void (*netrt_weight_bytes_fn)(int64_t *stored, int64_t *f32);
#define NETRT_WEIGHT_BYTES_SYMBOL "netrt_model_weight_bytes"

/* Opens a model library with the weights of the .safetensors file `weights`
 * (the names and shapes netc compiled it with; f32, f64, f16 or bf16 values,
 * converted to f32): required for a --no-embed-weights library, and replaces
 * the embedded weights of any other. NULL on failure, with a message in
 * `err` naming the tensor. */
netrt_handle *netrt_open_with_weights(const char *path, const char *weights,
                                      char *err, size_t err_size);

/* Opens a --no-embed-weights library with deterministic synthetic weights
 * made from `seed`, the same on every machine (benchmarks and device checks
 * without a weights file): convolution and fc weights uniform with variance
 * 2 / fan-in, batchnorm near the identity (running_var in [0.5, 1.5],
 * scale in [0.9, 1.1]), other vectors in [-0.1, 0.1]. NULL on failure. */
netrt_handle *netrt_open_synthetic(const char *path, uint64_t seed, char *err,
                                   size_t err_size);

/* The model's embedded weights: bytes as stored in the library (compressed
 * with --compress) and as f32; -1 (both 0) when it does not say. */
int netrt_weight_bytes(const netrt_handle *h, int64_t *stored, int64_t *f32);

/* netrt_arena_bytes of the model, or -1 when it does not say. */
int64_t netrt_arena_bytes(const netrt_handle *h, const char *which,
                          int64_t batch);

/* The descriptor of the results of an entry point ("forward": the outputs,
 * "loss": the losses, "backward": the gradients); NULL with *count = 0 when
 * the model lacks that entry point (or `which` is unknown). */
const netrt_tensor_info *netrt_results(const netrt_handle *h, const char *which,
                                       int32_t *count);

/* 1 if the model has the entry point `which`, else 0. */
int netrt_has_entry(const netrt_handle *h, const char *which);

/* 1 if entry point `which` reads input `index` (see
 * NETRT_FORWARD_INPUTS_SYMBOL), else 0. */
int netrt_input_used(const netrt_handle *h, const char *which, int32_t index);

/* Like netrt_check_inputs, for the entry point `which`: inputs it does not
 * read may have data = NULL. netrt_check_inputs checks for "forward". */
int netrt_check_entry_inputs(const netrt_handle *h, const char *which,
                             const netrt_tensor *inputs, int32_t num_inputs,
                             char *err, size_t err_size);

/* The batch N (the value of every -1 dim) fixed by the inputs with non-NULL
 * data and the right rank, or -1 if none fixes it. */
int64_t netrt_batch(const netrt_handle *h, const netrt_tensor *inputs,
                    int32_t num_inputs);

/* Formats a descriptor type, e.g. "f32[N, 1, 32, 32]", followed by
 * " (N = 4)" when it has a symbolic dim and batch >= 0. snprintf-like:
 * returns the length of the full text. */
int netrt_format_type(const netrt_tensor_info *info, int64_t batch, char *buf,
                      size_t size);

/* Calls the model's set_num_threads (if it has one). */
void netrt_set_num_threads(const netrt_handle *h, int threads);

/*--- Training (libraries built with netc --train) ---------------------------*/

/* Model library exports a train step uses, looked up with dlsym:
 * - NETRT_PARAMS_SYMBOL: every raw parameter the kernels are prepared from
 *   (weights-file names and shapes, batchnorm statistics included);
 * - NETRT_READ_PARAMS_SYMBOL: copies the library's own values of them, in
 *   that order, into caller-allocated f32 tensors (0, or -1: last_error());
 * - NETRT_WEIGHTS_CREATE_PARAMS_SYMBOL: prepares a set of weights (as
 *   NETRT_WEIGHTS_CREATE_SYMBOL) from all of them, in that order (copied);
 * - NETRT_ENTRY_RESULTS_SYMBOL: the results of an entry point by name;
 *   "train" (netc --train) gives the losses, then the gradients (as
 *   "backward"), from one pass over the model;
 * - NETRT_ENTRY_STATE_SYMBOL: how many of an entry point's results, at the
 *   end, are new values of buffers rather than gradients: "train" with
 *   --train=batch-stats returns the running statistics' updates, named as
 *   the parameters they replace. */
typedef const netrt_tensor_info *(*netrt_params_fn)(int32_t *count);
#define NETRT_PARAMS_SYMBOL "netrt_model_params"
typedef int (*netrt_read_params_fn)(netrt_tensor *out);
#define NETRT_READ_PARAMS_SYMBOL "netrt_model_read_params"
#define NETRT_WEIGHTS_CREATE_PARAMS_SYMBOL "netrt_weights_create_params"
typedef const netrt_tensor_info *(*netrt_entry_results_fn)(const char *which,
                                                           int32_t *count);
#define NETRT_ENTRY_RESULTS_SYMBOL "netrt_model_entry_results"
typedef int32_t (*netrt_entry_state_fn)(const char *which);
#define NETRT_ENTRY_STATE_SYMBOL "netrt_model_entry_state"

/* How a train step updates the parameters: torch.optim.SGD (momentum,
 * dampening, Nesterov, weight_decay as an L2 term) or torch.optim.Adam
 * (beta1, beta2, eps, weight_decay), with the same update formulas. With
 * keep_zeros the parameters that are exactly zero when the trainer is made
 * stay zero (retraining a pruned model: the pruned weights held at zero).
 * With tie_equal a parameter whose nonzero values take at most 256
 * distinct values (fewer than half its size: after --share-weights) keeps
 * them tied: each distinct value is a codebook entry the optimizer moves by
 * the sum of its weights' gradients (Deep Compression's retraining of the
 * shared values); its zeros stay zero. */
typedef enum netrt_optimizer_kind { NETRT_SGD = 0, NETRT_ADAM = 1 } netrt_optimizer_kind;
typedef struct netrt_optimizer {
  int32_t kind; /* netrt_optimizer_kind */
  float momentum, dampening;
  int32_t nesterov;
  float weight_decay;
  float beta1, beta2, eps;
  int32_t keep_zeros;
  int32_t tie_equal;
} netrt_optimizer;

/* The defaults of torch.optim for `kind`: SGD without momentum; Adam with
 * betas (0.9, 0.999) and eps 1e-8. */
void netrt_optimizer_defaults(netrt_optimizer *opt, int32_t kind);

typedef struct netrt_trainer netrt_trainer;

/* Trains the weights `h` runs with (the library's own, or those it was
 * opened with) by `opt`. NULL on failure (a library without --train, or
 * without its parameters' values), with a message in `err`. */
netrt_trainer *netrt_trainer_create(netrt_handle *h, const netrt_optimizer *opt,
                                    char *err, size_t err_size);

/* One step on a batch (inputs as for "backward"): the losses and gradients
 * from one pass ("train"), the optimizer's update of every parameter with
 * learning rate `lr`, then the new weights prepared and bound to the
 * handle: runs that started before keep the weights they started with.
 * `losses` (num_losses floats, or NULL) gets each loss before the update.
 * Non-zero, with nothing updated, on bad inputs or a loss that is not
 * finite. One step at a time per trainer (steps from several threads are
 * serialised). */
int netrt_train_step(netrt_trainer *t, const netrt_tensor *inputs,
                     int32_t num_inputs, float lr, float *losses, char *err,
                     size_t err_size);

/* The number of steps taken, and parameter `name`'s current value (NULL
 * if there is none), valid until the next step. */
int64_t netrt_trainer_steps(const netrt_trainer *t);
const float *netrt_trainer_param(const netrt_trainer *t, const char *name,
                                 netrt_tensor_info *info);

/* Writes the current parameters to `path` as .safetensors (the weights
 * file names: PyTorch's state_dict). Written to a temporary file beside it
 * and renamed over `path` when complete, so a save that fails or is
 * interrupted leaves the previous file as it was. */
int netrt_trainer_save(netrt_trainer *t, const char *path, char *err,
                       size_t err_size);

void netrt_trainer_destroy(netrt_trainer *t);

#ifdef __cplusplus
}
#endif
#endif /* NETRT_H */
