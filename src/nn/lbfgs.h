/* lbfgs.h — limited-memory BFGS with the Moré-Thuente line search, with its whole state in a
 * plain struct (nn_lbfgs) so that a run can be saved after any iteration and continued later
 * with the same bits (the transfer's checkpoints, src/style/checkpoint.c).
 *
 * The algorithm (Nocedal & Wright, Numerical Optimization, 2nd ed., algorithms 7.4 and 7.5):
 * d = -H g by the two-loop recursion over the last m pairs (s, y) with H0 = (s'y / y'y) I; the
 * first step is 1 / |g| along -g, later ones start at 1. The step satisfies the strong Wolfe
 * conditions f(x + a d) <= f(x) + ftol a g'd, |g(x + a d)'d| <= gtol |g'd|, found by Moré &
 * Thuente's search (ACM TOMS 20(3), 1994: the interval of uncertainty, its modified function in
 * the first stage, the cubic/quadratic trial steps of their four cases and the bisection
 * safeguard). The parameters and stop tests are liblbfgs 1.10's (its default line search),
 * which the unit tests keep as the reference twin.
 *
 * Reentrant: no globals, no allocation after nn_lbfgs_create. An iteration is: direction, line
 * search, the caller's iteration callback (which may stop the run), the relative-decrease test
 * over `past` iterations, the history update. The state between two iterations is k, end, f, x,
 * g, s, y, ys and pf; nothing else carries over. */
#ifndef AS_NN_LBFGS_H
#define AS_NN_LBFGS_H

#include <stdint.h>

typedef struct nn_lbfgs_param {
    int m;              /* history pairs, 1..100 */
    double ftol, gtol;  /* sufficient decrease and curvature of the strong Wolfe conditions */
    double xtol;        /* the smallest relative width of the interval of uncertainty */
    double min_step, max_step;
    int max_linesearch; /* evaluations per line search */
    int past;           /* the relative-decrease test compares f with the one `past` iterations
                           before; 0 = off */
    double delta;       /* ... and stops when |f_past - f| / |f| < delta */
} nn_lbfgs_param;

/* liblbfgs's defaults: m 6, ftol 1e-4, gtol 0.9, xtol 1e-16, steps [1e-20, 1e20], 40 evaluations
 * per line search, past 0, delta 1e-5. */
void nn_lbfgs_param_init(nn_lbfgs_param *p);

typedef struct nn_lbfgs {
    int64_t n;
    nn_lbfgs_param p;
    /* ---- the state between iterations (what a checkpoint saves) ---- */
    int64_t k;      /* iterations done */
    int end;        /* the history slot the next pair goes to */
    double f;       /* f(x) */
    double *x, *g;  /* (n,) the current point and its gradient */
    double *s, *y;  /* (m, n) the last min(k, m) pairs, slot j at s + j n (zero until written) */
    double *ys;     /* (m,) y's of each slot */
    double *pf;     /* (max(past, 1),) f at the last iterations, for the relative-decrease test */
    /* ---- scratch ---- */
    double *d, *xt, *gt; /* (n,) direction, trial point and its gradient */
    double *alpha;       /* (m,) the two-loop recursion's coefficients */
    double *block;       /* everything above, one allocation */
} nn_lbfgs;

/* Evaluates f at x (n) and writes its gradient into g (n). Setting *stop stops the run at once
 * (the value returned then is ignored): a cancel inside a line search. */
typedef double (*nn_lbfgs_eval_fn)(void *user, const double *x, double *g, int64_t n, int *stop);
/* Called after each successful line search with the new point in lb->x, lb->f, lb->g (lb->k
 * already counts it; the history is not updated yet); ls is the line search's evaluations. A
 * non-zero return stops the run (NN_LBFGS_STOPPED). */
typedef int (*nn_lbfgs_iter_fn)(void *user, const nn_lbfgs *lb, int ls);
/* Called at the end of each iteration that continues (history updated): the moment the state
 * is complete, so a checkpoint saved now continues with nn_lbfgs_run. A non-zero return stops
 * the run (NN_LBFGS_STOPPED: a checkpoint that cannot be written). May be NULL. */
typedef int (*nn_lbfgs_save_fn)(void *user, const nn_lbfgs *lb);

enum {
    NN_LBFGS_STOPPED = 1,          /* the iteration callback stopped it */
    NN_LBFGS_CONVERGED = 2,        /* the relative-decrease test (past, delta) */
    NN_LBFGS_MINIMIZED = 3,        /* g = 0 (at the start or after an iteration) */
    NN_LBFGS_CANCELLED = -1,       /* the evaluation set *stop */
    NN_LBFGS_ERR_ROUNDING = -2,    /* the line search: rounding errors prevent progress */
    NN_LBFGS_ERR_MAXSTEP = -3,     /* ... the step is at max_step */
    NN_LBFGS_ERR_MINSTEP = -4,     /* ... the step is at min_step */
    NN_LBFGS_ERR_WIDTH = -5,       /* ... the interval of uncertainty is below xtol */
    NN_LBFGS_ERR_MAXLS = -6,       /* ... max_linesearch evaluations */
    NN_LBFGS_ERR_ASCENT = -7,      /* the direction is not a descent direction */
};

/* Allocates the state for n variables (zeroed); AS_ERR_ARG / AS_ERR_NOMEM. */
int nn_lbfgs_create(nn_lbfgs *lb, int64_t n, const nn_lbfgs_param *p);
void nn_lbfgs_destroy(nn_lbfgs *lb);
/* A fresh run from lb->x (set by the caller): evaluates f and g there, empties the history.
 * 0, NN_LBFGS_MINIMIZED or NN_LBFGS_CANCELLED. */
int nn_lbfgs_start(nn_lbfgs *lb, nn_lbfgs_eval_fn eval, void *user);
/* Iterates from the state (after nn_lbfgs_start, or a restored one) until a callback stops it,
 * a stop test holds or the line search fails; returns the NN_LBFGS_* reason. On a failure the
 * state stays at the last accepted point. */
int nn_lbfgs_run(nn_lbfgs *lb, nn_lbfgs_eval_fn eval, nn_lbfgs_iter_fn iter, nn_lbfgs_save_fn save,
                 void *user);

#endif
