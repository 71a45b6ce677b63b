/*===- Runtime.c - The fixed part of every model library's executor -------===*
 *
 * netc appends this file to each generated executor (Executor.cpp), after
 * the model's constants (NETC_NUM_INPUTS, NETC_MAX_OUTPUTS, NETC_MAX_ARGS,
 * NETC_NUM_RAW, NETC_NUM_PREP) and before its tables. It holds what does
 * not depend on the model:
 * - the thread-local error message and a caching allocator for Halide;
 * - shape checks turning netrt tensors into halide_buffer_t;
 * - weight preparation (WeightPrep.h): from the raw parameters (embedded in
 *   the library, or bound from a weights file) to the kernels' weight
 *   arguments, once;
 * - the interpreter of an entry point's steps over one arena.
 *
 *===----------------------------------------------------------------------===*/
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <time.h>

/* GPU targets (NETC_GPU 1: CUDA, 2: OpenCL): the kernels run on the
   device; prepared weights are uploaded once, activations live in device
   memory between kernels, and only the model's inputs and outputs cross. */
#if NETC_GPU == 1
#include "HalideRuntimeCuda.h"
#define NETC_DEVICE halide_cuda_device_interface()
#define NETC_DEVICE_NAME "CUDA"
#elif NETC_GPU == 2
#include "HalideRuntimeOpenCL.h"
#define NETC_DEVICE halide_opencl_device_interface()
#define NETC_DEVICE_NAME "OpenCL"
#endif

static __thread char last_error[4096];

static void on_error(void *user_context, const char *msg) {
  (void)user_context;
  snprintf(last_error, sizeof last_error, "%s", msg);
}

/* Halide's scratch buffers are allocated and freed in the same sizes on
   every run. Freed blocks are kept (up to CACHE_SLOTS blocks, CACHE_BYTES in
   all) and handed out again for the same size, which spares glibc's
   mmap/munmap of large blocks and the page faults of fresh memory. */
#define CACHE_SLOTS 128
#define CACHE_BYTES ((size_t)4 << 30)
#define ALIGN 64
#define HUGE ((size_t)2 << 20)
typedef struct {
  void *p;
  size_t size;
} cached_block;
static cached_block cache[CACHE_SLOTS];
static int cache_count;
static size_t cache_bytes;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

/* Blocks are [raw ... | size | raw pointer | ALIGN-aligned data]. */
static void *cached_malloc(void *user_context, size_t size) {
  (void)user_context;
  pthread_mutex_lock(&cache_lock);
  for (int i = cache_count; i-- > 0;)
    if (cache[i].size == size) {
      void *p = cache[i].p;
      cache[i] = cache[--cache_count];
      cache_bytes -= size;
      pthread_mutex_unlock(&cache_lock);
      return p;
    }
  pthread_mutex_unlock(&cache_lock);
  /* Large blocks (weights, the arena) on transparent huge pages where the
     system offers them: fewer TLB misses when kernels stream them. */
  size_t align = size >= HUGE ? HUGE : ALIGN;
  char *raw = (char *)malloc(size + 2 * align);
  if (!raw)
    return NULL;
  char *p = (char *)(((uintptr_t)raw + 2 * align - 1) & ~(uintptr_t)(align - 1));
  if (align == HUGE)
    madvise(p, size / HUGE * HUGE, MADV_HUGEPAGE); /* whole pages inside */
  ((size_t *)p)[-1] = size;
  ((void **)p)[-2] = raw;
  return p;
}

static void cached_free(void *user_context, void *ptr) {
  (void)user_context;
  if (!ptr)
    return;
  size_t size = ((size_t *)ptr)[-1];
  pthread_mutex_lock(&cache_lock);
  if (cache_count < CACHE_SLOTS && cache_bytes + size <= CACHE_BYTES) {
    cache[cache_count].p = ptr;
    cache[cache_count].size = size;
    ++cache_count;
    cache_bytes += size;
    ptr = NULL;
  }
  pthread_mutex_unlock(&cache_lock);
  if (ptr)
    free(((void **)ptr)[-2]);
}

/* Describes `t` to Halide (dims reversed), checking it against `info`. */
static int to_buffer(const netrt_tensor *t, const netrt_tensor_info *info,
                     halide_buffer_t *b, halide_dimension_t *dims,
                     int64_t *batch) {
  int i;
  int64_t stride = 1;
  if (!t->data || t->dtype != info->dtype || t->rank != info->rank) {
    snprintf(last_error, sizeof last_error,
             "'%s': expected a %s tensor of rank %d", info->name,
             info->dtype == NETRT_I32 ? "i32" : "f32", (int)info->rank);
    return -1;
  }
  for (i = 0; i < t->rank; ++i) {
    int k = t->rank - 1 - i;
    int64_t want = info->shape[k];
    if (want < 0) {
      if (*batch < 0)
        *batch = t->shape[k];
      want = *batch;
    }
    if (t->shape[k] != want || t->shape[k] < 1 || t->shape[k] > 0x7fffffff) {
      snprintf(last_error, sizeof last_error,
               "'%s': dim %d is %lld but %lld is expected", info->name, k,
               (long long)t->shape[k], (long long)want);
      return -1;
    }
    dims[i].min = 0;
    dims[i].extent = (int32_t)t->shape[k];
    dims[i].stride = (int32_t)stride;
    dims[i].flags = 0;
    stride *= t->shape[k];
  }
  memset(b, 0, sizeof *b);
  b->host = (uint8_t *)t->data;
  b->type.code = info->dtype == NETRT_I32 ? halide_type_int : halide_type_float;
  b->type.bits = 32;
  b->type.lanes = 1;
  b->dimensions = t->rank;
  b->dim = dims;
  return 0;
}

/*===------------------------- weight preparation --------------------------===*/

/* Must match netc::PrepKind (WeightPrep.h). */
enum {
  NETC_PREP_RAW = 0,
  NETC_PREP_CONV = 1,
  NETC_PREP_CONV_BIAS = 2,
  NETC_PREP_BN_SCALE = 3,
  NETC_PREP_BN_SHIFT = 4,
  NETC_PREP_FC_BLOCK = 5,
  NETC_PREP_WINOGRAD = 6,
  NETC_PREP_SPARSE_CONV = 7,
  NETC_PREP_SPARSE_FC_BLOCKS = 8,
  NETC_PREP_INT8_CONV = 9,
  NETC_PREP_INT8_SCALE = 10,
  NETC_PREP_INT8_BIAS = 11
};

/* Bytes per element of a prepared weight: the int8 weights are int8. */
static int prep_elem_bytes(int kind) {
  return kind == NETC_PREP_INT8_CONV ? 1 : 4;
}

typedef struct {
  const char *name;
  int32_t rank;
  int64_t shape[NETRT_MAX_RANK];
  int64_t offset;  /* in the embedded blob */
  int64_t numel;
  int32_t release;  /* no kernel reads it in place: its pages may be dropped */
  int32_t embedded; /* in the blob; else bound when the library is opened */
  int32_t coded;    /* stored as codebook + zstd frames (WeightCoding.h) */
  int64_t stored;   /* bytes in the blob */
} netc_raw;

typedef struct {
  int32_t kind;
  int32_t src[5]; /* raw indices, -1: absent */
  float eps;
  int32_t param;
  int32_t rank;
  int32_t extent[NETRT_MAX_RANK];
  int32_t stride[NETRT_MAX_RANK];
  int64_t numel;
} netc_prep;

static const netc_raw kRaw[NETC_NUM_RAW + 1];
static const netc_prep kPrep[NETC_NUM_PREP + 1];
static const unsigned char *netc_blob(void);

/* Gives the pages wholly inside [p, p + bytes) of the mapped library back
   to the kernel (they are read again from the file if ever touched). */
static void release_pages(const void *p, int64_t bytes) {
  long page = sysconf(_SC_PAGESIZE);
  uintptr_t start = ((uintptr_t)p + page - 1) & ~(uintptr_t)(page - 1);
  uintptr_t end = ((uintptr_t)p + (uintptr_t)bytes) & ~(uintptr_t)(page - 1);
  if (page > 0 && end > start)
    madvise((void *)start, end - start, MADV_DONTNEED);
}

static float bn_scale(const float *g, const float *var, float eps, int64_t o) {
  return g ? g[o] / sqrtf(var[o] + eps) : 1.0f;
}

/* w[o] * scale[o]; with `outer` stored output channels fastest, then input
   channels, then the taps. */
/* layout 0: as stored; 1: output channels fastest, then input channels,
   then the taps; B > 1: the same per block of B output channels, blocks
   outermost (O is a multiple of B), so a register tile's weights for one
   input channel are one contiguous vector per block. */
static void prep_conv(const netc_raw *w, const float *wv, const float *g,
                      const float *var, float eps, int layout, float *out) {
  int64_t O = w->shape[0], cg = w->shape[1], perO = w->numel / O;
  int64_t taps = perO / cg, i, B = layout;
  for (i = 0; i < w->numel; ++i) {
    int64_t o = i / perO, rest = i % perO, ci = rest / taps, tap = rest % taps;
    float v = wv[i] * bn_scale(g, var, eps, o);
    if (layout == 1)
      out[o + O * (ci + cg * tap)] = v;
    else if (layout > 1)
      out[o % B + B * (ci + cg * (tap + taps * (o / B)))] = v;
    else
      out[i] = v;
  }
}

static void prep_conv_bias(int64_t O, const float *b, const float *g,
                           const float *beta, const float *mean,
                           const float *var, float eps, float *out) {
  int64_t o;
  for (o = 0; o < O; ++o) {
    float bb = b ? b[o] : 0.0f;
    out[o] = g ? (bb - mean[o]) * bn_scale(g, var, eps, o) + beta[o] : bb;
  }
}

/* The int8 weight scale of output channel o of the [O, ...] weights w:
   max |w[o]| / 127 (1 for an all-zero channel). net-quantize left each
   w[o] = q * scale with max |q| = 127, so this is its scale, and w / it
   rounds to q exactly. */
static float int8_scale(const float *w, int64_t per, int64_t o) {
  float amax = 0.0f;
  int64_t i;
  for (i = 0; i < per; ++i) {
    float a = fabsf(w[o * per + i]);
    amax = a > amax ? a : amax;
  }
  return amax > 0.0f ? amax / 127.0f : 1.0f;
}

static int8_t int8_code(float w, float scale) {
  float q = nearbyintf(w / scale);
  return (int8_t)(q > 127.0f ? 127 : q < -127.0f ? -127 : q);
}

/* The int8 codes of a [O, C, KH, KW] conv's weights for the int8 kernels:
   Halide dims (k < G, o % V, c / G, kx, ky, o / V) with c = (c / G) * G + k,
   dense in that order (G = extent[0], V = extent[1]); channels past C and
   outputs past O are zero. */
static int prep_int8_conv(const netc_raw *w, const float *wv,
                          const netc_prep *q, int8_t *out) {
  int64_t O = w->shape[0], C = w->shape[1];
  int64_t KH = w->rank == 4 ? w->shape[2] : 1, KW = w->rank == 4 ? w->shape[3] : 1;
  int64_t G = q->extent[0], V = q->extent[1], R = q->extent[2];
  int64_t NB = q->extent[5], per = C * KH * KW, b, oi, r, k, kx, ky, i = 0;
  float *scale = (float *)malloc(sizeof(float) * (size_t)O);
  if (!scale)
    return -1;
  for (b = 0; b < O; ++b)
    scale[b] = int8_scale(wv, per, b);
  for (b = 0; b < NB; ++b)
    for (ky = 0; ky < KH; ++ky)
      for (kx = 0; kx < KW; ++kx)
        for (r = 0; r < R; ++r)
          for (oi = 0; oi < V; ++oi)
            for (k = 0; k < G; ++k, ++i) {
              int64_t o = b * V + oi, c = r * G + k;
              out[i] = 0;
              if (o < O && c < C)
                out[i] = int8_code(wv[((o * C + c) * KH + ky) * KW + kx],
                                   scale[o]);
            }
  free(scale);
  return 0;
}

/* Per output channel of an int8 layer whose input codes have scale sx and
   zero point zp: the factor from its int32 sums to f32, sx * scale[o]
   (NETC_PREP_INT8_SCALE), or its bias less the zero point's share of the
   sums, b[o] - zp * sx * scale[o] * sum(q[o]) (NETC_PREP_INT8_BIAS). */
static void prep_int8_epilogue(const netc_raw *w, const float *wv,
                               const float *bias, float sx, int zp, int bias_kind,
                               float *out) {
  int64_t O = w->shape[0], per = w->numel / O, o, i;
  for (o = 0; o < O; ++o) {
    float s = int8_scale(wv, per, o);
    long sum = 0;
    if (!bias_kind) {
      out[o] = sx * s;
      continue;
    }
    for (i = 0; i < per; ++i)
      sum += int8_code(wv[o * per + i], s);
    out[o] = (bias ? bias[o] : 0.0f) - (float)zp * sx * s * (float)sum;
  }
}

/* Blocks of B rows, each column-major; rows past O are zero. The rows of
   each block are given back once copied when `release`. */
static void prep_fc_block(const netc_raw *w, const float *wv, int B,
                          int release, float *out) {
  int64_t O = w->shape[0], I = w->shape[1], blocks = (O + B - 1) / B, o, i, b;
  memset(out, 0, sizeof(float) * (size_t)(blocks * B * I));
  for (b = 0; b < blocks; ++b) {
    int64_t end = (b + 1) * B < O ? (b + 1) * B : O;
    for (o = b * B; o < end; ++o)
      for (i = 0; i < I; ++i)
        out[(b * I + i) * B + o % B] = wv[o * I + i];
    if (release)
      release_pages(wv + b * B * I, (end - b * B) * I * (int64_t)sizeof(float));
  }
}

/* U(k, c, a + t*b) = (G g G^T)[a][b] in double precision, g = w[k][c] *
   scale[k] (Lavin & Gray; interpolation points 0, +-1, +-2, infinity for
   F(4x4, 3x3)). */
static void prep_winograd(const netc_raw *w, const float *wv, const float *g,
                          const float *var, float eps, int m, float *out) {
  static const double G2[4][3] = {
      {1, 0, 0}, {.5, .5, .5}, {.5, -.5, .5}, {0, 0, 1}};
  static const double G4[6][3] = {{1. / 4, 0, 0},
                                  {-1. / 6, -1. / 6, -1. / 6},
                                  {-1. / 6, 1. / 6, -1. / 6},
                                  {1. / 24, 1. / 12, 1. / 6},
                                  {1. / 24, -1. / 12, 1. / 6},
                                  {0, 0, 1}};
  int64_t K = w->shape[0], C = w->shape[1], k, c;
  int t = m + 2, a, b, kx, ky;
  for (k = 0; k < K; ++k) {
    float s = bn_scale(g, var, eps, k);
    for (c = 0; c < C; ++c) {
      float f[9];
      for (a = 0; a < 9; ++a)
        f[a] = wv[(k * C + c) * 9 + a] * s; /* f[ky * 3 + kx] */
      for (a = 0; a < t; ++a) {
        const double *Ga = m == 4 ? G4[a] : G2[a];
        double rowT[3]; /* (G g^T)[a][ky] */
        for (ky = 0; ky < 3; ++ky) {
          rowT[ky] = 0;
          for (kx = 0; kx < 3; ++kx)
            rowT[ky] += Ga[kx] * f[ky * 3 + kx];
        }
        for (b = 0; b < t; ++b) {
          const double *Gb = m == 4 ? G4[b] : G2[b];
          double sum = 0;
          for (ky = 0; ky < 3; ++ky)
            sum += Gb[ky] * rowT[ky];
          out[k + K * (c + C * (int64_t)(a + t * b))] = (float)sum;
        }
      }
    }
  }
}

/* Per output channel o, at row o of `out` (1 + slots * row_max floats):
   the count of nonzeros of w[o] * scale[o], then each nonzero as (value,
   input channel) for 1x1 kernels or (value, channel, kx, ky), taps
   outermost, indices as int32 bits. A channel never has more than
   row_max nonzeros (the compiler counted them in these weights); any
   beyond are dropped rather than written past the row. */
static void prep_sparse_conv(const netc_raw *w, const float *wv,
                             const float *g, const float *var, float eps,
                             int row_max, float *out) {
  int64_t O = w->shape[0], C = w->shape[1], kh = w->shape[2], kw = w->shape[3];
  int64_t taps = kh * kw, slots = taps == 1 ? 2 : 4, row = 1 + slots * row_max;
  int64_t o, t, c;
  memset(out, 0, sizeof(float) * (size_t)(O * row));
  for (o = 0; o < O; ++o) {
    float s = bn_scale(g, var, eps, o), *r = out + o * row;
    int32_t count = 0;
    for (t = 0; t < taps; ++t)
      for (c = 0; c < C; ++c) {
        float v = wv[(o * C + c) * taps + t];
        int32_t idx[3];
        if (v == 0.0f || count == row_max)
          continue;
        idx[0] = (int32_t)c;
        idx[1] = (int32_t)(t % kw);
        idx[2] = (int32_t)(t / kw);
        r[1 + slots * count] = v * s;
        memcpy(&r[2 + slots * count], idx, sizeof(int32_t) * (size_t)(slots - 1));
        ++count;
      }
    memcpy(&r[0], &count, sizeof count);
  }
}

/* An fc layer's [O, I] weights in blocks of L rows (the prepared buffer's
   innermost extent): slot k of a block is L values (the k-th nonzero of
   each row, 0 past a row's last) then their L column indices as int32
   bits; `slots` slots per block. */
static void prep_sparse_fc_blocks(const netc_raw *w, const float *wv, int L,
                                  int slots, float *out) {
  int64_t O = w->shape[0], I = w->shape[1], blocks = (O + L - 1) / L, o, i;
  memset(out, 0, sizeof(float) * (size_t)(blocks * slots * 2 * L));
  for (o = 0; o < O; ++o) {
    float *block = out + (o / L) * slots * 2 * L;
    int32_t k = 0;
    for (i = 0; i < I && k < slots; ++i) {
      int32_t idx = (int32_t)i;
      if (wv[o * I + i] == 0.0f)
        continue;
      block[k * 2 * L + o % L] = wv[o * I + i];
      memcpy(&block[k * 2 * L + L + o % L], &idx, sizeof idx);
      ++k;
    }
  }
}

#if NETC_CODED
#include <zstd.h>

/* --compress weights (WeightCoding.h): a 32-byte header whose second
   int32 is the format, then the format's data. */
#define NETC_CODED_HEADER 32

/* Format 1, an int8 weight: int32 rows, int32 1, int64 numel, int64 0,
   int64 code_bytes, float scale[rows], the zstd frame of the int8 codes;
   value = code * scale[row]. */
static int decode_int8(const netc_raw *r, const unsigned char *src,
                       float *out) {
  int32_t rows;
  int64_t numel, code_bytes, per, i;
  const float *scale = (const float *)(src + NETC_CODED_HEADER);
  signed char *codes;
  int ok;
  memcpy(&rows, src, 4);
  memcpy(&numel, src + 8, 8);
  memcpy(&code_bytes, src + 24, 8);
  if (rows < 1 || numel != r->numel || numel % rows ||
      NETC_CODED_HEADER + 4 * (int64_t)rows + code_bytes != r->stored)
    return -1;
  if (!(codes = (signed char *)malloc((size_t)numel + 1)))
    return -1;
  ok = ZSTD_decompress(codes, (size_t)numel,
                       src + NETC_CODED_HEADER + 4 * (int64_t)rows,
                       (size_t)code_bytes) == (size_t)numel;
  per = numel / rows;
  for (i = 0; ok && i < numel; ++i)
    out[i] = (float)codes[i] * scale[i / per];
  free(codes);
  return ok ? 0 : -1;
}

/* A --compress weight: format 0, shared: int32 entries, int32 0, int64
   nonzeros, int64 gap_bytes, int64 index_bytes, the codebook, then the
   zstd frames of the gaps (zeros before each nonzero, 255: 255 zeros and
   no value) and of the codebook indices; format 1: decode_int8. Writes
   r->numel floats; -1 when the data is malformed. */
static int decode_coded(const netc_raw *r, const unsigned char *src,
                        float *out) {
  int32_t entries, format;
  int64_t nonzeros, gap_bytes, index_bytes, at = 0, k = 0, i;
  const float *book = (const float *)(src + NETC_CODED_HEADER);
  const unsigned char *gap_frame, *index_frame;
  unsigned char *index, *gaps = NULL;
  unsigned long long ngaps = 0;
  int ok;
  memcpy(&format, src + 4, 4);
  if (format == 1)
    return decode_int8(r, src, out);
  if (format != 0)
    return -1;
  memcpy(&entries, src, 4);
  memcpy(&nonzeros, src + 8, 8);
  memcpy(&gap_bytes, src + 16, 8);
  memcpy(&index_bytes, src + 24, 8);
  if (entries < 0 || entries > 256 || nonzeros < 0 || nonzeros > r->numel ||
      NETC_CODED_HEADER + 4 * (int64_t)entries + gap_bytes + index_bytes !=
          r->stored)
    return -1;
  gap_frame = src + NETC_CODED_HEADER + 4 * entries;
  index_frame = gap_frame + gap_bytes;
  if (!(index = (unsigned char *)malloc((size_t)nonzeros + 1)))
    return -1;
  ok = ZSTD_decompress(index, (size_t)nonzeros, index_frame,
                       (size_t)index_bytes) == (size_t)nonzeros;
  if (ok && gap_bytes) {
    ngaps = ZSTD_getFrameContentSize(gap_frame, (size_t)gap_bytes);
    ok = ngaps <= (unsigned long long)(r->numel + nonzeros) &&
         (gaps = (unsigned char *)malloc((size_t)ngaps + 1)) &&
         ZSTD_decompress(gaps, (size_t)ngaps, gap_frame, (size_t)gap_bytes) ==
             (size_t)ngaps;
  } else if (ok) {
    ok = nonzeros == r->numel;
  }
  if (ok) {
    memset(out, 0, sizeof(float) * (size_t)r->numel);
    if (!gap_bytes) {
      for (i = 0; ok && i < nonzeros; ++i)
        if ((ok = index[i] < entries))
          out[i] = book[index[i]];
    } else {
      for (i = 0; ok && i < (int64_t)ngaps; ++i) {
        at += gaps[i];
        if (gaps[i] == 255)
          continue;
        if ((ok = at < r->numel && k < nonzeros && index[k] < entries))
          out[at++] = book[index[k++]];
      }
      ok = ok && k == nonzeros;
    }
  }
  free(index);
  free(gaps);
  return ok ? 0 : -1;
}
#endif

/* The embedded parameters into raw[i] where they are in the library; a
   coded one (--compress) gets NULL: prepare_weights decodes it when first
   needed and frees it after its last use. */
static void embedded_values(const float **raw) {
  int i;
  for (i = 0; i < NETC_NUM_RAW; ++i)
    if (kRaw[i].embedded)
      raw[i] = kRaw[i].coded ? NULL
                             : (const float *)(netc_blob() + kRaw[i].offset);
}

/* Coded parameter i decoded into a buffer of its own; NULL (last_error
   set) on failure. */
static float *decode_raw(int i) {
  void *out = NULL;
#if NETC_CODED
  if (posix_memalign(&out, kRaw[i].numel * 4 >= HUGE ? HUGE : ALIGN,
                     (size_t)kRaw[i].numel * 4)) {
    snprintf(last_error, sizeof last_error, "out of memory decoding '%s'",
             kRaw[i].name);
    return NULL;
  }
  if (decode_coded(&kRaw[i], netc_blob() + kRaw[i].offset, (float *)out)) {
    snprintf(last_error, sizeof last_error,
             "the compressed weight '%s' is malformed", kRaw[i].name);
    free(out);
    return NULL;
  }
#else
  (void)i;
  snprintf(last_error, sizeof last_error, "no decoder for coded weights");
#endif
  return (float *)out;
}

/* The prepared weights: one pointer per netc_prep, into `block` (owned) or,
   for raw parameters of an embedded library, into the library itself. */
typedef struct {
  float *ptr[NETC_NUM_PREP + 1];
  void *block;
  float **kept; /* decoded --compress weights kernels read in place
                   (NETC_NUM_RAW entries, NULL: none), owned */
#if NETC_GPU
  /* Each prepared weight as a device buffer, uploaded once; the kernels
     get these very structs, so Halide sees the copy on the device. */
  halide_buffer_t buf[NETC_NUM_PREP + 1];
  halide_dimension_t dims[NETC_NUM_PREP + 1][NETRT_MAX_RANK];
#endif
} netc_weights;

static void free_weights(netc_weights *w);
static void weight_buffer(const netc_prep *q, float *data, halide_buffer_t *b,
                          halide_dimension_t *dims);
static netc_weights *weights_now;
static pthread_mutex_t weights_lock = PTHREAD_MUTEX_INITIALIZER;

/* Prepares every weight argument from `raw` (indexed like kRaw; NULL for
   a coded embedded parameter, decoded here when first needed, so that
   only one decoded parameter at a time is alive beside the prepared ones).
   Embedded parameters outlive the result (they are in the library; a
   decoded one a kernel reads in place is kept by the result): raw
   arguments are used where they are, and what nothing reads in place is
   released once prepared. Bound ones are copied, and so is everything
   with `copy` (the caller's tensors, a train step's parameters). NULL on
   failure, with last_error set. */
static netc_weights *prepare_weights(const float *const *raw_in, int copy) {
  netc_weights *w = (netc_weights *)calloc(1, sizeof *w);
  int uses[NETC_NUM_RAW + 1];
  const float *raw[NETC_NUM_RAW + 1];
  float *owned[NETC_NUM_RAW + 1];
  int64_t total = 0, off = 0;
  int p, s;
  if (!w) {
    snprintf(last_error, sizeof last_error, "out of memory preparing the weights");
    return NULL;
  }
  memcpy(raw, raw_in, sizeof(raw[0]) * NETC_NUM_RAW);
  memset(owned, 0, sizeof owned);
  memset(uses, 0, sizeof uses);
  for (p = 0; p < NETC_NUM_PREP; ++p) {
    for (s = 0; s < 5; ++s)
      if (kPrep[p].src[s] >= 0)
        ++uses[kPrep[p].src[s]];
    if (copy || !(kPrep[p].kind == NETC_PREP_RAW && kRaw[kPrep[p].src[0]].embedded))
      total += (kPrep[p].numel * prep_elem_bytes(kPrep[p].kind) + ALIGN - 1) /
               ALIGN * ALIGN;
  }
  if (total && !(w->block = cached_malloc(NULL, (size_t)total))) {
    free(w);
    snprintf(last_error, sizeof last_error, "out of memory preparing the weights");
    return NULL;
  }
  for (p = 0; p < NETC_NUM_PREP; ++p) {
    const netc_prep *q = &kPrep[p];
    const float *src[5];
    const netc_raw *r0 = &kRaw[q->src[0] >= 0 ? q->src[0] : 0];
    float *out;
    for (s = 0; s < 5; ++s) {
      int i = q->src[s];
      if (i >= 0 && !raw[i] && kRaw[i].coded) {
        if (!(owned[i] = decode_raw(i))) {
          for (i = 0; i < NETC_NUM_RAW; ++i)
            free(owned[i]);
          free_weights(w);
          return NULL;
        }
        raw[i] = owned[i];
      }
      src[s] = i >= 0 ? raw[i] : NULL;
    }
    if (!copy && q->kind == NETC_PREP_RAW && kRaw[q->src[0]].embedded) {
      w->ptr[p] = (float *)src[0];
      if (owned[q->src[0]]) {
        if (!w->kept)
          w->kept = (float **)calloc(NETC_NUM_RAW + 1, sizeof(float *));
        if (w->kept) { /* else the block is not freed: a leak, no crash */
          w->kept[q->src[0]] = owned[q->src[0]];
          owned[q->src[0]] = NULL;
        }
      }
      continue;
    }
    out = (float *)((char *)w->block + off);
    off += (q->numel * prep_elem_bytes(q->kind) + ALIGN - 1) / ALIGN * ALIGN;
    w->ptr[p] = out;
    switch (q->kind) {
    case NETC_PREP_RAW:
      memcpy(out, src[0], (size_t)q->numel * 4);
      break;
    case NETC_PREP_CONV:
      prep_conv(r0, src[0], src[1], src[2], q->eps, q->param, out);
      break;
    case NETC_PREP_CONV_BIAS:
      prep_conv_bias(q->numel, src[0], src[1], src[2], src[3], src[4], q->eps,
                     out);
      break;
    case NETC_PREP_BN_SCALE:
    case NETC_PREP_BN_SHIFT: {
      int64_t c;
      for (c = 0; c < q->numel; ++c) {
        float sc = bn_scale(src[0], src[q->kind == NETC_PREP_BN_SCALE ? 1 : 3],
                            q->eps, c);
        out[c] = q->kind == NETC_PREP_BN_SCALE ? sc : src[1][c] - src[2][c] * sc;
      }
      break;
    }
    case NETC_PREP_FC_BLOCK:
      prep_fc_block(r0, src[0], q->param,
                    !copy && r0->embedded && r0->release && uses[q->src[0]] == 1,
                    out);
      break;
    case NETC_PREP_WINOGRAD:
      prep_winograd(r0, src[0], src[1], src[2], q->eps, q->param, out);
      break;
    case NETC_PREP_SPARSE_CONV:
      prep_sparse_conv(r0, src[0], src[1], src[2], q->eps, q->param, out);
      break;
    case NETC_PREP_SPARSE_FC_BLOCKS:
      prep_sparse_fc_blocks(r0, src[0], q->extent[0], q->param, out);
      break;
    case NETC_PREP_INT8_CONV:
      if (prep_int8_conv(r0, src[0], q, (int8_t *)out)) {
        for (s = 0; s < NETC_NUM_RAW; ++s)
          free(owned[s]);
        free_weights(w);
        snprintf(last_error, sizeof last_error,
                 "out of memory preparing the weights");
        return NULL;
      }
      break;
    case NETC_PREP_INT8_SCALE:
    case NETC_PREP_INT8_BIAS:
      prep_int8_epilogue(r0, src[0], src[1], q->eps, q->param,
                         q->kind == NETC_PREP_INT8_BIAS, out);
      break;
    }
    for (s = 0; s < 5; ++s) {
      int i = q->src[s];
      if (i < 0 || --uses[i] != 0)
        continue;
      if (owned[i]) {
        free(owned[i]);
        owned[i] = NULL;
        raw[i] = NULL;
      } else if (!copy && kRaw[i].embedded && kRaw[i].release) {
        release_pages(src[s], kRaw[i].numel * 4);
      }
    }
  }
  for (p = 0; p < NETC_NUM_RAW; ++p)
    free(owned[p]);
#if NETC_GPU
  for (p = 0; p < NETC_NUM_PREP; ++p) {
    weight_buffer(&kPrep[p], w->ptr[p], &w->buf[p], w->dims[p]);
    w->buf[p].flags = halide_buffer_flag_host_dirty;
    last_error[0] = 0;
    if (halide_copy_to_device(NULL, &w->buf[p], NETC_DEVICE)) {
      char why[sizeof last_error];
      snprintf(why, sizeof why, "%s", last_error[0] ? last_error : "no device");
      snprintf(last_error, sizeof last_error,
               "cannot upload the weights to the " NETC_DEVICE_NAME
               " device: %s", why);
      free_weights(w);
      return NULL;
    }
  }
#endif
  return w;
}

static void free_weights(netc_weights *w) {
  if (w) {
#if NETC_GPU
    int p;
    for (p = 0; p < NETC_NUM_PREP; ++p)
      if (w->buf[p].device)
        halide_device_free(NULL, &w->buf[p]);
#endif
    cached_free(NULL, w->block);
    if (w->kept) {
      int i;
      for (i = 0; i < NETC_NUM_RAW; ++i)
        free(w->kept[i]);
      free(w->kept);
    }
    free(w);
  }
}

/* The weights to run with: prepared from the embedded blob on first use, or
   bound by netrt_bind_weights. */
static netc_weights *current_weights(void) {
  netc_weights *w;
  pthread_mutex_lock(&weights_lock);
  if (!weights_now && NETC_NUM_BOUND == 0) {
    const float *raw[NETC_NUM_RAW + 1];
    embedded_values(raw);
    weights_now = prepare_weights(raw, 0);
  }
  w = weights_now;
  pthread_mutex_unlock(&weights_lock);
  if (!w && NETC_NUM_BOUND)
    snprintf(last_error, sizeof last_error,
             "this library was built with --no-embed-weights: give it a "
             "weights file (net-run --weights, netrt_open_with_weights, "
             "Model(path, weights=))");
  return w;
}

/* Prepares the library's own weights now (netrt_open calls it, so that a
   library is ready, and its decoding timed, when opened); 0 also when the
   weights come from a file. */
static int prepare_own_weights(void) {
  return NETC_NUM_BOUND || current_weights() ? 0 : -1;
}

/* Bytes of the embedded weights as stored and as f32. */
static void own_weight_bytes(int64_t *stored, int64_t *f32) {
  int i;
  *stored = *f32 = 0;
  for (i = 0; i < NETC_NUM_RAW; ++i)
    if (kRaw[i].embedded) {
      *stored += kRaw[i].stored;
      *f32 += kRaw[i].numel * 4;
    }
}

/*===----------------------------- the executor ----------------------------===*/

typedef int (*netc_kernel_fn)(void **args);

/* Must match netc::ElemType (Lowered.h). */
enum { NETC_VALUE_F32 = 0, NETC_VALUE_I32 = 1, NETC_VALUE_U8 = 2 };

/* A tensor of an entry point. home: 0 arena, 1 model input, 2 output.
   parent >= 0: a crop of that arena value from channel `choff` on. */
typedef struct {
  int32_t home, index, rank, nhwc, type, batched; /* type: NETC_VALUE_* */
  int64_t shape[NETRT_MAX_RANK];
  int64_t offset;
  int32_t parent;
  int64_t choff;
} netc_value;

typedef struct {
  netc_kernel_fn fn;
  const char *kernel;
  const char *label; /* the group's first layer */
  int32_t ninputs, nweights, noutputs;
  const int32_t *args; /* value ids of the inputs, prepared ids of the
                          weights, value ids of the outputs */
} netc_step;

typedef struct {
  const char *name;
  int32_t nsteps;
  const netc_step *steps;
  int32_t nvalues;
  const netc_value *values;
  int64_t per_image, fixed; /* arena bytes: N * per_image + fixed */
  int32_t ninputs;
  const int32_t *input_indices;
  int32_t noutputs;
  const netrt_tensor_info *results;
} netc_entry;

static const netrt_tensor_info kInputs[NETC_NUM_INPUTS + 1];

#if NETC_PROFILE
/* --profile: the time of every call, by entry point and step, printed when
   the library is unloaded (Halide's own report, per kernel, comes too). */
#define PROFILE_STEPS 4096
static const netc_entry *profiled[2];
static double call_ms[2][PROFILE_STEPS];
static long entry_runs[2];
static pthread_mutex_t profile_lock = PTHREAD_MUTEX_INITIALIZER;

static void record_call(const netc_entry *e, int step, double ms) {
  int k = e->name[0] == 'f' ? 0 : 1;
  pthread_mutex_lock(&profile_lock);
  profiled[k] = e;
  if (step < PROFILE_STEPS)
    call_ms[k][step] += ms;
  if (step == 0)
    ++entry_runs[k];
  pthread_mutex_unlock(&profile_lock);
}

__attribute__((destructor)) static void print_profile(void) {
  int k, s;
  for (k = 0; k < 2; ++k) {
    const netc_entry *e = profiled[k];
    double total = 0;
    if (!e || !entry_runs[k])
      continue;
    for (s = 0; s < e->nsteps && s < PROFILE_STEPS; ++s)
      total += call_ms[k][s];
    fprintf(stderr, "netc profile: %s, %ld runs, %.3f ms/run in %d calls\n",
            e->name, entry_runs[k], total / entry_runs[k], e->nsteps);
    for (s = 0; s < e->nsteps && s < PROFILE_STEPS; ++s)
      fprintf(stderr, "  call %3d %-28s %-36s %9.3f ms/run %5.1f%%\n", s,
              e->steps[s].label, e->steps[s].kernel,
              call_ms[k][s] / entry_runs[k],
              total > 0 ? 100 * call_ms[k][s] / total : 0.0);
  }
}
#endif

/* Describes arena value `id` of the run with batch `n` to Halide. A crop
   (a part of a concat, written in place) has its own extents but its
   parent's strides and storage, shifted to its first channel. */
static void arena_buffer(const netc_value *values, int id, uint8_t *arena,
                         int64_t n, int64_t per_image, halide_buffer_t *b,
                         halide_dimension_t *dims) {
  const netc_value *v = &values[id];
  const netc_value *s = v->parent >= 0 ? &values[v->parent] : v;
  int64_t extent[NETRT_MAX_RANK], stride = 1;
  int i, order[NETRT_MAX_RANK];
  for (i = 0; i < s->rank; ++i) {
    int64_t e = s->shape[s->rank - 1 - i];
    extent[i] = e < 0 ? n : e;
    order[i] = i;
  }
  if (s->nhwc) { /* (x, y, c, n) stored c, x, y, n */
    order[0] = 2, order[1] = 0, order[2] = 1, order[3] = 3;
  }
  for (i = 0; i < s->rank; ++i) {
    int d = order[i];
    dims[d].stride = (int32_t)stride;
    stride *= extent[d];
  }
  for (i = 0; i < v->rank; ++i) {
    int64_t e = v->shape[v->rank - 1 - i];
    dims[i].min = 0;
    dims[i].extent = (int32_t)(e < 0 ? n : e);
    dims[i].flags = 0;
  }
  memset(b, 0, sizeof *b);
  /* No arena (a device-only buffer): no host storage. */
  b->host = arena ? arena + (s->batched ? s->offset * n : per_image * n + s->offset)
                  : NULL;
  if (arena && v->parent >= 0) /* channels: NCHW dim 1 */
    b->host += v->choff * dims[v->rank - 2].stride * 4; /* f32: no codes */
  b->type.code = v->type == NETC_VALUE_I32  ? halide_type_int
                 : v->type == NETC_VALUE_U8 ? halide_type_uint
                                            : halide_type_float;
  b->type.bits = v->type == NETC_VALUE_U8 ? 8 : 32;
  b->type.lanes = 1;
  b->dimensions = v->rank;
  b->dim = dims;
}

static void weight_buffer(const netc_prep *q, float *data, halide_buffer_t *b,
                          halide_dimension_t *dims) {
  int i;
  for (i = 0; i < q->rank; ++i) {
    dims[i].min = 0;
    dims[i].extent = q->extent[i];
    dims[i].stride = q->stride[i];
    dims[i].flags = 0;
  }
  memset(b, 0, sizeof *b);
  b->host = (uint8_t *)data;
  b->type.code =
      q->kind == NETC_PREP_INT8_CONV ? halide_type_int : halide_type_float;
  b->type.bits = q->kind == NETC_PREP_INT8_CONV ? 8 : 32;
  b->type.lanes = 1;
  b->dimensions = q->rank;
  b->dim = dims;
}

#if !NETC_GPU
/* Runs `e` with the weights `bound` (NULL: the library's own). */
static int run_entry(const netc_entry *e, const netc_weights *bound,
                     const netrt_tensor *inputs, netrt_tensor *outputs) {
  halide_buffer_t in[NETC_NUM_INPUTS + 1], out[NETC_MAX_OUTPUTS + 1];
  halide_dimension_t in_dims[NETC_NUM_INPUTS + 1][NETRT_MAX_RANK],
      out_dims[NETC_MAX_OUTPUTS + 1][NETRT_MAX_RANK];
  halide_buffer_t args[NETC_MAX_ARGS + 1];
  halide_dimension_t arg_dims[NETC_MAX_ARGS + 1][NETRT_MAX_RANK];
  void *argv[NETC_MAX_ARGS + 2];
  int64_t batch = -1;
  int32_t n32;
  uint8_t *arena = NULL;
  const netc_weights *w = bound;
  int i, s, rc = 0;
  last_error[0] = 0;
  for (i = 0; i < e->ninputs; ++i) {
    int k = e->input_indices[i];
    if (to_buffer(&inputs[k], &kInputs[k], &in[k], in_dims[k], &batch))
      return -1;
  }
  for (i = 0; i < e->noutputs; ++i)
    if (to_buffer(&outputs[i], &e->results[i], &out[i], out_dims[i], &batch))
      return -1;
  if (!w && !(w = current_weights()))
    return -1;
  if (batch < 0)
    batch = 1;
  n32 = (int32_t)batch;
  if (e->per_image * batch + e->fixed > 0 &&
      !(arena = (uint8_t *)cached_malloc(NULL, (size_t)(e->per_image * batch +
                                                        e->fixed)))) {
    snprintf(last_error, sizeof last_error, "out of memory (%lld bytes)",
             (long long)(e->per_image * batch + e->fixed));
    return -1;
  }
  argv[0] = &n32;
  for (s = 0; s < e->nsteps && !rc; ++s) {
    const netc_step *st = &e->steps[s];
    int nargs = st->ninputs + st->nweights + st->noutputs;
    for (i = 0; i < nargs; ++i) {
      int id = st->args[i];
      halide_buffer_t *b = &args[i];
      if (i >= st->ninputs && i < st->ninputs + st->nweights) {
        weight_buffer(&kPrep[id], w->ptr[id], b, arg_dims[i]);
      } else {
        const netc_value *v = &e->values[id];
        if (v->home == 1)
          *b = in[v->index];
        else if (v->home == 2 && !((uintptr_t)out[v->index].host % ALIGN))
          *b = out[v->index];
        else
          arena_buffer(e->values, id, arena, batch, e->per_image, b,
                       arg_dims[i]);
      }
      argv[i + 1] = b;
    }
#if NETC_PROFILE
    {
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      rc = st->fn(argv);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      record_call(e, s, (t1.tv_sec - t0.tv_sec) * 1e3 +
                            (t1.tv_nsec - t0.tv_nsec) * 1e-6);
    }
#else
    rc = st->fn(argv);
#endif
    if (rc && !last_error[0])
      snprintf(last_error, sizeof last_error,
               "kernel %s failed (Halide error %d)", st->kernel, rc);
  }
  /* Outputs the kernels wrote to the arena (the caller's tensor was not
     aligned): same dense layout, one copy. */
  for (i = 0; !rc && i < e->nvalues; ++i) {
    const netc_value *v = &e->values[i];
    if (v->home == 2 && ((uintptr_t)out[v->index].host % ALIGN)) {
      halide_buffer_t b;
      halide_dimension_t d[NETRT_MAX_RANK];
      int64_t numel = 1;
      for (s = 0; s < outputs[v->index].rank; ++s)
        numel *= outputs[v->index].shape[s];
      arena_buffer(e->values, i, arena, batch, e->per_image, &b, d);
      memcpy(out[v->index].host, b.host, (size_t)numel * 4);
    }
  }
  cached_free(NULL, arena);
  return rc;
}

#else
/* Runs `e` with the weights `bound` (NULL: the library's own) on the
   device. Each arena value is a device-only buffer (no host memory),
   allocated before the kernel that writes it and freed after its last
   reader (Halide keeps freed blocks for the next run); model inputs are
   copied to the device by the first kernel that reads them, outputs back
   to the caller's tensors at the end. */
static int run_entry(const netc_entry *e, const netc_weights *bound,
                     const netrt_tensor *inputs, netrt_tensor *outputs) {
  halide_buffer_t in[NETC_NUM_INPUTS + 1], out[NETC_MAX_OUTPUTS + 1];
  halide_dimension_t in_dims[NETC_NUM_INPUTS + 1][NETRT_MAX_RANK],
      out_dims[NETC_MAX_OUTPUTS + 1][NETRT_MAX_RANK];
  halide_buffer_t *vals;
  halide_dimension_t(*vdims)[NETRT_MAX_RANK];
  int32_t *last;
  void *argv[NETC_MAX_ARGS + 2];
  int64_t batch = -1;
  int32_t n32;
  netc_weights *w = (netc_weights *)bound;
  int i, s, rc = 0;
  last_error[0] = 0;
  memset(in, 0, sizeof in);
  memset(out, 0, sizeof out);
  for (i = 0; i < e->ninputs; ++i) {
    int k = e->input_indices[i];
    if (to_buffer(&inputs[k], &kInputs[k], &in[k], in_dims[k], &batch))
      return -1;
    in[k].flags = halide_buffer_flag_host_dirty;
  }
  for (i = 0; i < e->noutputs; ++i)
    if (to_buffer(&outputs[i], &e->results[i], &out[i], out_dims[i], &batch))
      return -1;
  if (!w && !(w = current_weights()))
    return -1;
  if (batch < 0)
    batch = 1;
  n32 = (int32_t)batch;
  vals = (halide_buffer_t *)calloc((size_t)e->nvalues + 1, sizeof *vals);
  vdims = calloc((size_t)e->nvalues + 1, sizeof *vdims);
  last = (int32_t *)malloc(((size_t)e->nvalues + 1) * sizeof *last);
  if (!vals || !vdims || !last) {
    free(vals), free(vdims), free(last);
    snprintf(last_error, sizeof last_error, "out of memory");
    return -1;
  }
  for (i = 0; i < e->nvalues; ++i)
    last[i] = -1;
  for (s = 0; s < e->nsteps; ++s)
    for (i = 0; i < e->steps[s].ninputs; ++i)
      last[e->steps[s].args[i]] = s;
  argv[0] = &n32;
  for (s = 0; s < e->nsteps && !rc; ++s) {
    const netc_step *st = &e->steps[s];
    int nargs = st->ninputs + st->nweights + st->noutputs;
    for (i = 0; i < nargs && !rc; ++i) {
      int id = st->args[i];
      const netc_value *v;
      if (i >= st->ninputs && i < st->ninputs + st->nweights) {
        argv[i + 1] = &w->buf[id];
        continue;
      }
      v = &e->values[id];
      if (v->home == 1) {
        argv[i + 1] = &in[v->index];
        continue;
      }
      if (v->home == 2) {
        argv[i + 1] = &out[v->index];
      } else {
        if (v->parent >= 0) { /* netc gives GPU targets no concat crops */
          snprintf(last_error, sizeof last_error,
                   "kernel %s: a crop of a device buffer", st->kernel);
          rc = -1;
          break;
        }
        if (!vals[id].dim) {
          arena_buffer(e->values, id, NULL, batch, e->per_image, &vals[id],
                       vdims[id]);
          vals[id].host = NULL;
        }
        argv[i + 1] = &vals[id];
      }
      if (i >= st->ninputs + st->nweights &&
          !((halide_buffer_t *)argv[i + 1])->device)
        rc = halide_device_malloc(NULL, (halide_buffer_t *)argv[i + 1],
                                  NETC_DEVICE);
    }
    if (!rc) {
#if NETC_PROFILE
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      rc = st->fn(argv);
      if (!rc) /* kernels are asynchronous: wait for this one */
        rc = halide_device_sync(NULL, (halide_buffer_t *)argv[nargs]);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      record_call(e, s, (t1.tv_sec - t0.tv_sec) * 1e3 +
                            (t1.tv_nsec - t0.tv_nsec) * 1e-6);
#else
      rc = st->fn(argv);
#endif
    }
    if (rc && !last_error[0])
      snprintf(last_error, sizeof last_error,
               "kernel %s failed (Halide error %d)", st->kernel, rc);
    /* Arena values no later kernel reads go back to the device pool. */
    for (i = 0; i < nargs; ++i) {
      int id = st->args[i];
      if (i >= st->ninputs && i < st->ninputs + st->nweights)
        continue;
      if (e->values[id].home == 0 && last[id] <= s && vals[id].device)
        halide_device_free(NULL, &vals[id]);
    }
  }
  for (i = 0; !rc && i < e->noutputs; ++i)
    if ((rc = halide_copy_to_host(NULL, &out[i])) && !last_error[0])
      snprintf(last_error, sizeof last_error,
               "copying output %d from the device failed (Halide error %d)", i,
               rc);
  for (i = 0; i < e->nvalues; ++i)
    if (vals[i].device)
      halide_device_free(NULL, &vals[i]);
  for (i = 0; i < NETC_NUM_INPUTS; ++i)
    if (in[i].device)
      halide_device_free(NULL, &in[i]);
  for (i = 0; i < NETC_MAX_OUTPUTS; ++i)
    if (out[i].device)
      halide_device_free(NULL, &out[i]);
  free(vals), free(vdims), free(last);
  return rc ? -1 : 0;
}

#endif

/* Whether `t` is an f32 tensor of raw parameter i's shape. */
static int fits_raw(const netrt_tensor *t, int i) {
  int k, ok = t->data && t->dtype == NETRT_F32 && t->rank == kRaw[i].rank;
  for (k = 0; ok && k < t->rank; ++k)
    ok = t->shape[k] == kRaw[i].shape[k];
  if (!ok)
    snprintf(last_error, sizeof last_error,
             "parameter '%s': expected an f32 tensor of the shape the library "
             "was compiled for", kRaw[i].name);
  return ok;
}

/* Prepared weights from the tensors netrt_model_weights lists (the
   parameters the library does not hold, in kRaw's order), checked against
   the shapes the library was compiled for. */
static netc_weights *create_weights(const netrt_tensor *tensors) {
  const float *raw[NETC_NUM_RAW + 1];
  int i, next = 0;
  last_error[0] = 0;
  for (i = 0; i < NETC_NUM_RAW; ++i) {
    const netrt_tensor *t;
    if (kRaw[i].embedded)
      continue;
    t = &tensors[next++];
    if (!fits_raw(t, i))
      return NULL;
    raw[i] = (const float *)t->data;
  }
  embedded_values(raw);
  return prepare_weights(raw, 0);
}

/*===------------------- the parameters a train step updates --------------===*/

/* Copies the library's own value of every raw parameter (kRaw's order)
   into `out`, caller-allocated f32 tensors of their shapes; 0, or -1 with
   last_error set. */
static int read_own_params(netrt_tensor *out) {
  int i;
  last_error[0] = 0;
  for (i = 0; i < NETC_NUM_RAW; ++i) {
    if (!fits_raw(&out[i], i))
      return -1;
    if (!kRaw[i].embedded) {
      snprintf(last_error, sizeof last_error,
               "parameter '%s' is not in the library (built with "
               "--no-embed-weights)", kRaw[i].name);
      return -1;
    }
    if (kRaw[i].coded) {
      float *v = decode_raw(i);
      if (!v)
        return -1;
      memcpy(out[i].data, v, (size_t)kRaw[i].numel * 4);
      free(v);
    } else {
      memcpy(out[i].data, netc_blob() + kRaw[i].offset,
             (size_t)kRaw[i].numel * 4);
    }
  }
  return 0;
}

/* Prepared weights from every raw parameter, in kRaw's order (copied). */
static netc_weights *create_weights_from_params(const netrt_tensor *params) {
  const float *raw[NETC_NUM_RAW + 1];
  int i;
  last_error[0] = 0;
  for (i = 0; i < NETC_NUM_RAW; ++i) {
    if (!fits_raw(&params[i], i))
      return NULL;
    raw[i] = (const float *)params[i].data;
  }
  return prepare_weights(raw, 1);
}

__attribute__((constructor)) static void install_handlers(void) {
  halide_set_error_handler(on_error);
  halide_set_custom_malloc(cached_malloc);
  halide_set_custom_free(cached_free);
#if NETC_GPU
  /* Device buffers freed by a run are kept for the next one (the same
     sizes come back every run). */
  halide_reuse_device_allocations(NULL, 1);
#endif
}

__attribute__((destructor)) static void release_all(void) {
  int i;
#if NETC_GPU
  /* Every device allocation and the context go (the runtime's own clean-up
     may have run first: then this finds nothing to release). The weights'
     device handles die with them. */
  halide_device_release(NULL, NETC_DEVICE);
  if (weights_now)
    for (i = 0; i < NETC_NUM_PREP; ++i)
      weights_now->buf[i].device = 0;
#endif
  free_weights(weights_now);
  weights_now = NULL;
  for (i = 0; i < cache_count; ++i)
    free(((void **)cache[i].p)[-2]);
  cache_count = 0;
}
