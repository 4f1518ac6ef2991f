/* genre.h — internals of the genre classifier shared by the files of src/genre (and its tests). */
#ifndef AS_GENRE_H
#define AS_GENRE_H

#include "core/internal.h"

#include <stddef.h>
#include <stdint.h>

#define GENRE_NF AS_FEATURES_COUNT /* 57 inputs */
#define GENRE_MAX_LAYERS 8         /* dense layers, output included */
#define GENRE_MAX_WIDTH 4096       /* widest layer a model file may declare */
#define GENRE_MAX_MEMBERS 16       /* ensemble members in one model */
#define GENRE_NAME_MAX 64          /* bytes of a label or column name, NUL excluded */
#define GENRE_VAR_EPS 1e-8         /* x -> ln(x + eps) for *_var columns when log_var */

/* One dense ReLU network: dims[0] inputs -> ... -> dims[n_layers] logits. Parameters live in
 * one block; W[l] and b[l] point into it (llm.c style), so save, load, zero-grad and Adam are
 * single loops over n_params floats. */
typedef struct genre_net {
    int n_layers;                       /* dense layers, the output layer included (>= 1) */
    int dims[GENRE_MAX_LAYERS + 1];     /* dims[0] = GENRE_NF, dims[n_layers] = classes */
    size_t n_params;
    float *params;                      /* (n_params,) */
    float *W[GENRE_MAX_LAYERS];         /* (dims[l+1], dims[l]) */
    float *b[GENRE_MAX_LAYERS];         /* (dims[l+1],) */
} genre_net;

struct as_genre_model {
    int type;                           /* AS_GENRE_* (informational once trained) */
    int sr, n_fft, hop;                 /* the feature parameters it was trained with */
    int64_t segment_length;             /* 0 = whole files */
    int n_classes;
    char labels[AS_GENRE_MAX_CLASSES][GENRE_NAME_MAX + 1];
    float dropout;                      /* training setting, informational */
    unsigned char log_mask[GENRE_NF];   /* 1: column i goes through ln(x + GENRE_VAR_EPS) */
    float mean[GENRE_NF], scale[GENRE_NF]; /* x' = (x - mean) / scale after the log */
    int n_members;
    genre_net net[GENRE_MAX_MEMBERS];
};

/* mlp.c --------------------------------------------------------------------------------- */

/* Sets dims, counts parameters and points W/b into a zeroed block (or into `block` when it is
 * not NULL: then nothing is allocated and genre_net_free must not be called). */
as_status genre_net_init(genre_net *n, int n_layers, const int *dims, float *block);
void genre_net_free(genre_net *n);
/* Points W/b of a net with the same dims as n into another block (gradients, Adam state). */
void genre_net_view(const genre_net *n, float *block, float **W, float **b);
/* Glorot-uniform weights, zero biases (Keras' defaults). */
void genre_net_init_weights(genre_net *n, as_rng *rng);

/* Activations of a batch of at most B rows, one block with named pointers. */
typedef struct genre_acts {
    int B;
    float *block;
    float *h[GENRE_MAX_LAYERS + 1];  /* h[0] (B, dims[0]) input; h[l+1] (B, dims[l+1]) output of
                                        layer l: ReLU (and dropout) for hidden, logits for last */
    float *g0, *g1;                  /* (B, max width) gradient ping-pong buffers */
} genre_acts;
as_status genre_acts_init(genre_acts *a, const genre_net *n, int B);
void genre_acts_free(genre_acts *a);

/* Forward pass of rows h[0][0..B) (filled by the caller). dropout > 0 with rng: training mode
 * (inverted dropout on hidden outputs). Never allocates. */
void genre_net_forward(const genre_net *n, genre_acts *a, int B, float dropout, as_rng *rng);
/* Mean softmax cross-entropy of the logits against labels y (B,); writes dlogits into a->g0
 * when want_grad. Returns the loss (double). Optionally writes probabilities (B, C). */
double genre_softmax_xent(const genre_net *n, genre_acts *a, int B, const int *y, int want_grad);
/* Backward pass from dlogits in a->g0: ACCUMULATES into the gradient views gW/gb (same shapes
 * as n->W/b). Needs the activations of the preceding forward and the same dropout setting. */
void genre_net_backward(const genre_net *n, genre_acts *a, int B, float dropout, float **gW,
                        float **gb);

/* Naive double-precision twin: mean cross-entropy of B rows x (B, dims[0]) against y, no
 * dropout. For the gradient and forward tests. */
double genre_net_loss_naive(const genre_net *n, const double *x, const int *y, int B);

/* C = A * B^T style products through CBLAS, and the naive twin. out (M, N) = alpha * op(A) op(B)
 * + beta * out, row-major. ta/tb: 0 = as is, 1 = transposed. */
void genre_gemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                const float *B, int ldb, float beta, float *C, int ldc);
void genre_gemm_naive(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                      const float *B, int ldb, float beta, float *C, int ldc);

/* model.c ------------------------------------------------------------------------------- */

/* Preprocesses one row of 57 features into out (standardised floats). */
void genre_preprocess(const as_genre_model *m, const double *x, float *out);
uint32_t genre_crc32(const void *buf, size_t len);
/* Presets: hidden layer widths (0-terminated) and the default dropout / weight decay. */
typedef struct genre_preset {
    const char *name;
    int hidden[6];
    double dropout;
    double weight_decay;
} genre_preset;
const genre_preset *genre_preset_get(int type);

/* default_model.c (generated by `make model`) ------------------------------------------ */
extern const unsigned char genre_default_model[];
extern const size_t genre_default_model_len;

#endif
