/* test_lbfgs.c — our L-BFGS (src/nn/lbfgs.c) against its reference twin liblbfgs 1.10 (the
 * optimiser the transfer used before, linked for these tests only), with the transfer's
 * settings: history 10, Moré-Thuente with ftol 1e-3, gtol 0.9, 20 evaluations per line search,
 * the relative-decrease test over 1 iteration with delta 1e7 eps, no gradient-norm test. */
#include "harness.h"
#include "nn/lbfgs.h"
#include "nn/engine.h"
#include "nn/nn.h"

#include <float.h>
#include <lbfgs.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_IT = 4000 };

typedef struct problem {
    int kind; /* 0 Rosenbrock (pairs), 1 NST loss */
    nn_nst *net;
    float *xf, *gf; /* (n,) float staging for the NST loss */
    int evals;
} problem;

/* The extended Rosenbrock function: sum over pairs 100 (x1 - x0^2)^2 + (1 - x0)^2. */
static double rosenbrock(const double *x, double *g, int64_t n)
{
    double f = 0;
    for (int64_t i = 0; i < n; i += 2) {
        double t1 = 1.0 - x[i], t2 = 10.0 * (x[i + 1] - x[i] * x[i]);
        g[i + 1] = 20.0 * t2;
        g[i] = -2.0 * (x[i] * g[i + 1] + t1);
        f += t1 * t1 + t2 * t2;
    }
    return f;
}

static double prob_eval(problem *p, const double *x, double *g, int64_t n)
{
    p->evals++;
    if (p->kind == 0) return rosenbrock(x, g, n);
    for (int64_t i = 0; i < n; i++) p->xf[i] = (float)x[i];
    double lc, ls;
    nn_nst_eval(p->net, p->xf, p->gf, &lc, &ls);
    for (int64_t i = 0; i < n; i++) g[i] = p->gf[i];
    return lc + ls;
}

/* ---- liblbfgs ---- */
typedef struct lib_run {
    problem *p;
    int budget, iters;
    double f[MAX_IT + 1]; /* f after each iteration */
} lib_run;

static lbfgsfloatval_t lib_eval(void *u, const lbfgsfloatval_t *x, lbfgsfloatval_t *g, const int n,
                                const lbfgsfloatval_t step)
{
    (void)step;
    return prob_eval(((lib_run *)u)->p, x, g, n);
}

static int lib_prog(void *u, const lbfgsfloatval_t *x, const lbfgsfloatval_t *g, const lbfgsfloatval_t fx,
                    const lbfgsfloatval_t xnorm, const lbfgsfloatval_t gnorm, const lbfgsfloatval_t step,
                    int n, int k, int ls)
{
    lib_run *r = u;
    r->f[++r->iters] = fx;
    return r->iters >= r->budget;
}

/* ---- ours ---- */
typedef struct our_run {
    problem *p;
    int budget, iters;
    double f[MAX_IT + 1];
} our_run;

static double our_eval(void *u, const double *x, double *g, int64_t n, int *stop)
{
    (void)stop;
    return prob_eval(((our_run *)u)->p, x, g, n);
}

static int our_iter(void *u, const nn_lbfgs *lb, int ls)
{
    our_run *r = u;
    r->f[++r->iters] = lb->f;
    return r->iters >= r->budget;
}

static void transfer_params(nn_lbfgs_param *p)
{
    nn_lbfgs_param_init(p);
    p->m = 10;
    p->past = 1;
    p->delta = 1e7 * DBL_EPSILON;
    p->max_linesearch = 20;
    p->ftol = 1e-3;
    p->gtol = 0.9;
}

/* Runs both from x0 (n) for at most budget iterations; returns the largest |x_ours - x_lib|
 * and fills the final values and how many leading iterations have equal f (relative 1e-12). */
static double twin(problem *p, const double *x0, int64_t n, int budget, double *f_ours, double *f_lib,
                   int *it_ours, int *it_lib, int *same, int *ret_ours, int *ret_lib, int *ev_ours, int *ev_lib)
{
    lib_run *lr = calloc(1, sizeof *lr);
    our_run *orr = calloc(1, sizeof *orr);
    lr->p = orr->p = p;
    lr->budget = orr->budget = budget;
    lbfgs_parameter_t lp;
    lbfgs_parameter_init(&lp);
    lp.m = 10;
    lp.epsilon = 0;
    lp.past = 1;
    lp.delta = 1e7 * DBL_EPSILON;
    lp.max_linesearch = 20;
    lp.ftol = 1e-3;
    lp.gtol = 0.9;
    lbfgsfloatval_t *xl = lbfgs_malloc((int)n);
    memcpy(xl, x0, sizeof(double) * (size_t)n);
    lbfgsfloatval_t fl = 0;
    p->evals = 0;
    *ret_lib = lbfgs((int)n, xl, &fl, lib_eval, lib_prog, lr, &lp);
    *ev_lib = p->evals;
    nn_lbfgs lb;
    nn_lbfgs_param op;
    transfer_params(&op);
    CHECK_OK(nn_lbfgs_create(&lb, n, &op));
    memcpy(lb.x, x0, sizeof(double) * (size_t)n);
    p->evals = 0;
    int r = nn_lbfgs_start(&lb, our_eval, orr);
    if (r == 0) r = nn_lbfgs_run(&lb, our_eval, our_iter, NULL, orr);
    *ret_ours = r;
    *ev_ours = p->evals;
    double dx = 0;
    for (int64_t i = 0; i < n; i++) dx = fmax(dx, fabs(lb.x[i] - xl[i]));
    *f_ours = lb.f;
    *f_lib = fl;
    *it_ours = orr->iters;
    *it_lib = lr->iters;
    int k = 1;
    while (k <= orr->iters && k <= lr->iters && fabs(orr->f[k] - lr->f[k]) <= 1e-12 * fabs(lr->f[k])) k++;
    *same = k - 1;
    nn_lbfgs_destroy(&lb);
    lbfgs_free(xl);
    free(lr);
    free(orr);
    return dx;
}

static void rosen_case(int64_t n)
{
    problem p = {.kind = 0};
    double *x0 = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; i += 2) {
        x0[i] = -1.2;
        x0[i + 1] = 1.0;
    }
    double fo, fl;
    int io, il, same, ro, rl, eo, el;
    double dx = twin(&p, x0, n, MAX_IT, &fo, &fl, &io, &il, &same, &ro, &rl, &eo, &el);
    printf("    Rosenbrock n=%lld: ours f %.3g in %d iterations (%d evaluations, end %d), liblbfgs f %.3g in %d "
           "(%d, end %d); f equal (1e-12) for the first %d iterations; max |x - x_lib| %.3g\n",
           (long long)n, fo, io, eo, ro, fl, il, el, rl, same, dx);
    /* both at the minimum (x = 1, f = 0), to what the relative-decrease test allows */
    CHECK_MSG(fo < 1e-8 && fl < 1e-8, "f %.3g (ours), %.3g (liblbfgs)", fo, fl);
    CHECK_MSG(dx < 1e-4, "the minima differ by %.3g", dx);
    CHECK_MSG(same >= 10, "only %d iterations agree", same);
    free(x0);
}

TEST(lbfgs_twin_rosenbrock_2) { rosen_case(2); }
TEST(lbfgs_twin_rosenbrock_100) { rosen_case(100); }

TEST(lbfgs_twin_nst)
{
    int C = 1025, T = 24;
    nn_nst_shape sh = {.C = C, .N = 16, .K = 5, .padding = NN_PAD_VALID, .T = T, .Ts = T, .div_x = T,
                       .div_s = T, .alpha = 1e-2, .beta = 1, .precision = NN_PRECISION_FP32};
    nn_nst *net = NULL;
    CHECK_OK(nn_nst_create(&net, &sh));
    if (!net) return;
    CHECK_OK(nn_nst_init_weights(net, 3));
    int64_t n = (int64_t)C * T;
    float *c = malloc(sizeof(float) * (size_t)n), *s = malloc(sizeof(float) * (size_t)n);
    as_rng r;
    as_rng_seed(&r, 11);
    for (int64_t i = 0; i < n; i++) {
        c[i] = (float)log1p(fabs(as_rng_normal(&r)) * (1 + (i / T) % 7));
        s[i] = (float)log1p(fabs(as_rng_normal(&r)) * (1 + (i / T) % 3));
    }
    CHECK_OK(nn_nst_set_targets(net, c, s));
    double *x0 = malloc(sizeof(double) * (size_t)n);
    for (int64_t i = 0; i < n; i++) x0[i] = 1e-3 * as_rng_normal(&r);
    problem p = {.kind = 1, .net = net, .xf = malloc(sizeof(float) * (size_t)n), .gf = malloc(sizeof(float) * (size_t)n)};
    double fo, fl;
    int io, il, same, ro, rl, eo, el;
    double f0;
    {
        double *g = malloc(sizeof(double) * (size_t)n);
        f0 = prob_eval(&p, x0, g, n);
        free(g);
    }
    double dx = twin(&p, x0, n, 60, &fo, &fl, &io, &il, &same, &ro, &rl, &eo, &el);
    printf("    NST (1025 x 24, 16 filters): f0 %.6g; ours %.9g in %d iterations (%d evaluations), liblbfgs %.9g "
           "in %d (%d); f equal (1e-12) for the first %d iterations; max |x - x_lib| %.3g\n",
           f0, fo, io, eo, fl, il, el, same, dx);
    CHECK_MSG(fo < 0.5 * f0, "no progress: %g from %g", fo, f0);
    CHECK_MSG(fabs(fo - fl) <= 1e-3 * fl, "final losses differ: %.9g vs %.9g", fo, fl);
    CHECK_MSG(same >= 10, "only %d iterations agree", same);
    nn_nst_destroy(net);
    free(c);
    free(s);
    free(x0);
    free(p.xf);
    free(p.gf);
}

/* The state is the struct: copying it at the end of iteration 12 (the save hook) into a fresh
 * object and running on gives the same bits as one uninterrupted run of 30 iterations. */
typedef struct snap {
    problem *p;
    int iters, budget, snap_at, stop_next;
    nn_lbfgs *copy;
} snap;

static double sn_eval(void *u, const double *x, double *g, int64_t n, int *stop)
{
    (void)stop;
    return prob_eval(((snap *)u)->p, x, g, n);
}

static int sn_iter(void *u, const nn_lbfgs *lb, int ls)
{
    snap *s = u;
    ++s->iters;
    return s->stop_next || s->iters >= s->budget;
}

static int sn_save(void *u, const nn_lbfgs *lb)
{
    snap *s = u;
    if (s->copy && s->iters == s->snap_at) {
        nn_lbfgs *c = s->copy;
        size_t nb = sizeof(double) * (size_t)lb->n;
        c->k = lb->k;
        c->end = lb->end;
        c->f = lb->f;
        memcpy(c->x, lb->x, nb);
        memcpy(c->g, lb->g, nb);
        memcpy(c->s, lb->s, nb * (size_t)lb->p.m);
        memcpy(c->y, lb->y, nb * (size_t)lb->p.m);
        memcpy(c->ys, lb->ys, sizeof(double) * (size_t)lb->p.m);
        c->pf[0] = lb->pf[0];
        s->stop_next = 1;
    }
    return 0;
}

static void state_copy_case(int64_t n, int kind)
{
    problem p = {.kind = kind};
    nn_lbfgs_param op;
    transfer_params(&op);
    nn_lbfgs a, b, c;
    CHECK_OK(nn_lbfgs_create(&a, n, &op));
    CHECK_OK(nn_lbfgs_create(&b, n, &op));
    CHECK_OK(nn_lbfgs_create(&c, n, &op));
    for (int64_t i = 0; i < n; i += 2) a.x[i] = -1.2, a.x[i + 1] = 1.0;
    memcpy(c.x, a.x, sizeof(double) * (size_t)n);
    snap whole = {&p, 0, 30, -1, 0, NULL};
    CHECK(nn_lbfgs_start(&c, sn_eval, &whole) == 0);
    CHECK(nn_lbfgs_run(&c, sn_eval, sn_iter, sn_save, &whole) == NN_LBFGS_STOPPED);
    snap first = {&p, 0, 30, 12, 0, &b};
    nn_lbfgs_start(&a, sn_eval, &first);
    nn_lbfgs_run(&a, sn_eval, sn_iter, sn_save, &first); /* stops at iteration 13, b holds 12 */
    CHECK(first.iters == 13 && b.k == 12);
    snap rest = {&p, 12, 30, -1, 0, NULL};
    CHECK(nn_lbfgs_run(&b, sn_eval, sn_iter, sn_save, &rest) == NN_LBFGS_STOPPED);
    CHECK(b.k == 30 && c.k == 30);
    CHECK_MSG(memcmp(b.x, c.x, sizeof(double) * (size_t)n) == 0 && b.f == c.f,
              "continued run differs: f %.17g vs %.17g", b.f, c.f);
    nn_lbfgs_destroy(&a);
    nn_lbfgs_destroy(&b);
    nn_lbfgs_destroy(&c);
}

TEST(lbfgs_state_copy_continues_bit_exactly) { state_copy_case(100, 0); }

TEST(lbfgs_refuses_bad_parameters)
{
    nn_lbfgs lb;
    nn_lbfgs_param p;
    transfer_params(&p);
    CHECK(nn_lbfgs_create(&lb, 0, &p) == AS_ERR_ARG);
    p.m = 0;
    CHECK(nn_lbfgs_create(&lb, 10, &p) == AS_ERR_ARG);
    nn_lbfgs_destroy(NULL);
}
