/* lbfgs.c — L-BFGS with the Moré-Thuente line search, its state a plain struct (lbfgs.h).
 *
 * Written from Nocedal & Wright (algorithms 7.4, 7.5: the two-loop recursion, H0 = s'y / y'y)
 * and Moré & Thuente 1994 (the search for a step satisfying the strong Wolfe conditions: the
 * interval of uncertainty [stx, sty], the modified function psi(a) = f(a) - f(0) - ftol a f'(0)
 * while no step with psi <= 0 and f' >= 0 has been seen, the trial step of their four cases, and
 * bisection when the interval does not shrink by 1/3). Sums are plain left-to-right loops in
 * double, so a run is reproducible bit for bit. */
#include "nn/lbfgs.h"

#include "core/internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void nn_lbfgs_param_init(nn_lbfgs_param *p)
{
    p->m = 6;
    p->ftol = 1e-4;
    p->gtol = 0.9;
    p->xtol = 1e-16;
    p->min_step = 1e-20;
    p->max_step = 1e20;
    p->max_linesearch = 40;
    p->past = 0;
    p->delta = 1e-5;
}

static double dot(const double *a, const double *b, int64_t n)
{
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

int nn_lbfgs_create(nn_lbfgs *lb, int64_t n, const nn_lbfgs_param *p)
{
    memset(lb, 0, sizeof *lb);
    if (n < 1 || !p || p->m < 1 || p->m > 100 || p->past < 0 || p->max_linesearch < 1 ||
        !(p->min_step > 0) || !(p->max_step >= p->min_step))
        return AS_ERR_ARG;
    int m = p->m, np = p->past > 0 ? p->past : 1;
    size_t total; /* 5 n + 2 m n + 2 m + np doubles */
    if (as__mul_size((size_t)n, (size_t)(5 + 2 * m), &total) != 0) return AS_ERR_NOMEM;
    total += 2 * (size_t)m + (size_t)np;
    double *b = calloc(total, sizeof(double));
    if (!b) return AS_ERR_NOMEM;
    lb->block = b;
    lb->n = n;
    lb->p = *p;
    lb->x = b;
    lb->g = b + n;
    lb->xt = b + 2 * n;
    lb->gt = b + 3 * n;
    lb->d = b + 4 * n;
    lb->s = b + 5 * n;
    lb->y = lb->s + (size_t)m * n;
    lb->ys = lb->y + (size_t)m * n;
    lb->alpha = lb->ys + m;
    lb->pf = lb->alpha + m;
    return AS_OK;
}

void nn_lbfgs_destroy(nn_lbfgs *lb)
{
    if (!lb) return;
    free(lb->block);
    memset(lb, 0, sizeof *lb);
}

int nn_lbfgs_start(nn_lbfgs *lb, nn_lbfgs_eval_fn eval, void *user)
{
    int stop = 0;
    lb->k = 0;
    lb->end = 0;
    memset(lb->s, 0, sizeof(double) * (size_t)lb->n * (size_t)lb->p.m * 2);
    memset(lb->ys, 0, sizeof(double) * (size_t)lb->p.m);
    lb->f = eval(user, lb->x, lb->g, lb->n, &stop);
    if (stop) return NN_LBFGS_CANCELLED;
    lb->pf[0] = lb->f;
    if (dot(lb->g, lb->g, lb->n) == 0) return NN_LBFGS_MINIMIZED;
    return 0;
}

/* One safeguarded trial step of Moré & Thuente (their section 4). [stx, sty] holds the best
 * step so far (stx, with f and f' there) and the other end; stp the last trial (fp, dp). Updates
 * the interval and returns the next trial in *stp, within [stpmin, stpmax]; -1 when the input is
 * inconsistent (rounding errors). */
static int mt_trial(double *stx, double *fx, double *dx, double *sty, double *fy, double *dy,
                    double *stp, double fp, double dp, int *brackt, double stpmin, double stpmax)
{
    double t = *stp;
    if (*brackt && (t <= fmin(*stx, *sty) || t >= fmax(*stx, *sty) || *dx * (t - *stx) >= 0 ||
                    stpmax < stpmin))
        return -1;
    double sgnd = dp * (*dx / fabs(*dx)), stpf, theta, s, gamma, p, q, r, stpc, stpq;
    int bound;
    if (fp > *fx) {
        /* case 1: a higher value; the minimum is bracketed. The cubic step if it is closer to
         * stx than the quadratic one (f, f' at stx, f at stp), else halfway between them. */
        theta = 3.0 * (*fx - fp) / (t - *stx) + *dx + dp;
        s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
        gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
        if (t < *stx) gamma = -gamma;
        p = (gamma - *dx) + theta;
        q = ((gamma - *dx) + gamma) + dp;
        r = p / q;
        stpc = *stx + r * (t - *stx);
        stpq = *stx + ((*dx / ((*fx - fp) / (t - *stx) + *dx)) / 2.0) * (t - *stx);
        stpf = fabs(stpc - *stx) < fabs(stpq - *stx) ? stpc : stpc + (stpq - stpc) / 2.0;
        *brackt = 1;
        bound = 1;
    } else if (sgnd < 0) {
        /* case 2: a lower value, derivatives of opposite signs: bracketed. The cubic or the
         * secant step, whichever is farther from stp. */
        theta = 3.0 * (*fx - fp) / (t - *stx) + *dx + dp;
        s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
        gamma = s * sqrt((theta / s) * (theta / s) - (*dx / s) * (dp / s));
        if (t > *stx) gamma = -gamma;
        p = (gamma - dp) + theta;
        q = ((gamma - dp) + gamma) + *dx;
        r = p / q;
        stpc = t + r * (*stx - t);
        stpq = t + (dp / (dp - *dx)) * (*stx - t);
        stpf = fabs(stpc - t) > fabs(stpq - t) ? stpc : stpq;
        *brackt = 1;
        bound = 0;
    } else if (fabs(dp) < fabs(*dx)) {
        /* case 3: a lower value, same signs, |f'| decreasing. The cubic step only if the cubic
         * tends to infinity in the step's direction or its minimum lies beyond stp; else the
         * bound. Bracketed: the step closer to stp; not: the farther one. */
        theta = 3.0 * (*fx - fp) / (t - *stx) + *dx + dp;
        s = fmax(fabs(theta), fmax(fabs(*dx), fabs(dp)));
        gamma = s * sqrt(fmax(0.0, (theta / s) * (theta / s) - (*dx / s) * (dp / s)));
        if (t > *stx) gamma = -gamma;
        p = (gamma - dp) + theta;
        q = (gamma + (*dx - dp)) + gamma;
        r = p / q;
        if (r < 0 && gamma != 0) stpc = t + r * (*stx - t);
        else if (t > *stx) stpc = stpmax;
        else stpc = stpmin;
        stpq = t + (dp / (dp - *dx)) * (*stx - t);
        if (*brackt) stpf = fabs(t - stpc) < fabs(t - stpq) ? stpc : stpq;
        else stpf = fabs(t - stpc) > fabs(t - stpq) ? stpc : stpq;
        bound = 1;
    } else {
        /* case 4: a lower value, same signs, |f'| not decreasing: the cubic step between stp
         * and sty when bracketed, else the bound. */
        if (*brackt) {
            theta = 3.0 * (fp - *fy) / (*sty - t) + *dy + dp;
            s = fmax(fabs(theta), fmax(fabs(*dy), fabs(dp)));
            gamma = s * sqrt((theta / s) * (theta / s) - (*dy / s) * (dp / s));
            if (t > *sty) gamma = -gamma;
            p = (gamma - dp) + theta;
            q = ((gamma - dp) + gamma) + *dy;
            r = p / q;
            stpf = t + r * (*sty - t);
        } else {
            stpf = t > *stx ? stpmax : stpmin;
        }
        bound = 0;
    }
    /* the new interval */
    if (fp > *fx) {
        *sty = t;
        *fy = fp;
        *dy = dp;
    } else {
        if (sgnd < 0) {
            *sty = *stx;
            *fy = *fx;
            *dy = *dx;
        }
        *stx = t;
        *fx = fp;
        *dx = dp;
    }
    stpf = fmin(stpmax, stpf);
    stpf = fmax(stpmin, stpf);
    if (*brackt && bound) { /* not too close to the far end of the interval */
        double lim = *stx + 0.66 * (*sty - *stx);
        stpf = *sty > *stx ? fmin(lim, stpf) : fmax(lim, stpf);
    }
    *stp = stpf;
    return 0;
}

/* Searches along lb->d from lb->x with first trial *stp. On success the new point, gradient and
 * value are in lb->xt, lb->gt, *ft, and the count of evaluations is returned (> 0). */
static int line_search(nn_lbfgs *lb, double *stp, double *ft, nn_lbfgs_eval_fn eval, void *user)
{
    const nn_lbfgs_param *P = &lb->p;
    int64_t n = lb->n;
    const double *x = lb->x, *d = lb->d;
    double *xt = lb->xt, *gt = lb->gt;
    double dginit = dot(lb->g, d, n);
    if (dginit > 0) return NN_LBFGS_ERR_ASCENT;
    int brackt = 0, stage1 = 1, count = 0, info = 0;
    double finit = lb->f, dgtest = P->ftol * dginit;
    double width = P->max_step - P->min_step, prev_width = 2.0 * width;
    double stx = 0, fx = finit, dgx = dginit, sty = 0, fy = finit, dgy = dginit;
    for (;;) {
        double stmin, stmax;
        if (brackt) {
            stmin = fmin(stx, sty);
            stmax = fmax(stx, sty);
        } else {
            stmin = stx;
            stmax = *stp + 4.0 * (*stp - stx);
        }
        if (*stp < P->min_step) *stp = P->min_step;
        if (*stp > P->max_step) *stp = P->max_step;
        /* an unusual end ahead: evaluate at the best step so far */
        if (brackt && (*stp <= stmin || *stp >= stmax || count + 1 >= P->max_linesearch || info != 0 ||
                       stmax - stmin <= P->xtol * stmax))
            *stp = stx;
        for (int64_t i = 0; i < n; i++) xt[i] = x[i] + *stp * d[i];
        int stop = 0;
        double f = eval(user, xt, gt, n, &stop);
        if (stop) return NN_LBFGS_CANCELLED;
        double dg = dot(gt, d, n);
        double ftest = finit + *stp * dgtest;
        count++;
        if (brackt && (*stp <= stmin || *stp >= stmax || info != 0)) return NN_LBFGS_ERR_ROUNDING;
        if (*stp == P->max_step && f <= ftest && dg <= dgtest) return NN_LBFGS_ERR_MAXSTEP;
        if (*stp == P->min_step && (f > ftest || dg >= dgtest)) return NN_LBFGS_ERR_MINSTEP;
        if (brackt && stmax - stmin <= P->xtol * stmax) return NN_LBFGS_ERR_WIDTH;
        if (count >= P->max_linesearch) return NN_LBFGS_ERR_MAXLS;
        if (f <= ftest && fabs(dg) <= P->gtol * -dginit) { /* the strong Wolfe conditions */
            *ft = f;
            return count;
        }
        /* the first stage ends at a step with psi <= 0 and f' >= min(ftol, gtol) f'(0) */
        if (stage1 && f <= ftest && dg >= fmin(P->ftol, P->gtol) * dginit) stage1 = 0;
        if (stage1 && f > ftest && f <= fx) {
            /* on the modified function psi, whose values and slopes differ by a dgtest */
            double fm = f - *stp * dgtest, fxm = fx - stx * dgtest, fym = fy - sty * dgtest;
            double dgm = dg - dgtest, dgxm = dgx - dgtest, dgym = dgy - dgtest;
            info = mt_trial(&stx, &fxm, &dgxm, &sty, &fym, &dgym, stp, fm, dgm, &brackt, stmin, stmax);
            fx = fxm + stx * dgtest;
            fy = fym + sty * dgtest;
            dgx = dgxm + dgtest;
            dgy = dgym + dgtest;
        } else {
            info = mt_trial(&stx, &fx, &dgx, &sty, &fy, &dgy, stp, f, dg, &brackt, stmin, stmax);
        }
        if (brackt) { /* bisect when the interval did not shrink enough */
            if (fabs(sty - stx) >= 0.66 * prev_width) *stp = stx + 0.5 * (sty - stx);
            prev_width = width;
            width = fabs(sty - stx);
        }
    }
}

/* d = -H g by the two-loop recursion over the last min(k, m) pairs (Nocedal & Wright 7.4). */
static void direction(nn_lbfgs *lb)
{
    int64_t n = lb->n;
    int m = lb->p.m, bound = lb->k < m ? (int)lb->k : m;
    double *d = lb->d;
    for (int64_t i = 0; i < n; i++) d[i] = -lb->g[i];
    int j = lb->end;
    for (int i = 0; i < bound; i++) { /* newest to oldest */
        j = (j + m - 1) % m;
        const double *s = lb->s + (size_t)j * n, *y = lb->y + (size_t)j * n;
        double a = dot(s, d, n) / lb->ys[j];
        lb->alpha[j] = a;
        for (int64_t t = 0; t < n; t++) d[t] += -a * y[t];
    }
    int last = (lb->end + m - 1) % m; /* H0 = (s'y / y'y) I of the newest pair */
    const double *yl = lb->y + (size_t)last * n;
    double gamma = lb->ys[last] / dot(yl, yl, n);
    for (int64_t t = 0; t < n; t++) d[t] *= gamma;
    for (int i = 0; i < bound; i++) { /* oldest to newest */
        const double *s = lb->s + (size_t)j * n, *y = lb->y + (size_t)j * n;
        double b = dot(y, d, n) / lb->ys[j];
        double c = lb->alpha[j] - b;
        for (int64_t t = 0; t < n; t++) d[t] += c * s[t];
        j = (j + 1) % m;
    }
}

int nn_lbfgs_run(nn_lbfgs *lb, nn_lbfgs_eval_fn eval, nn_lbfgs_iter_fn iter, nn_lbfgs_save_fn save,
                 void *user)
{
    int64_t n = lb->n;
    int m = lb->p.m;
    for (;;) {
        double step;
        if (lb->k == 0) { /* steepest descent, a first step of unit length */
            for (int64_t i = 0; i < n; i++) lb->d[i] = -lb->g[i];
            step = 1.0 / sqrt(dot(lb->d, lb->d, n));
        } else {
            direction(lb);
            step = 1.0;
        }
        double ft = 0;
        int ls = line_search(lb, &step, &ft, eval, user);
        if (ls < 0) return ls;
        /* accept: the trial becomes the point; the old point stays in xt, gt for the pair */
        double *t = lb->x;
        lb->x = lb->xt;
        lb->xt = t;
        t = lb->g;
        lb->g = lb->gt;
        lb->gt = t;
        lb->f = ft;
        lb->k++;
        if (iter && iter(user, lb, ls)) return NN_LBFGS_STOPPED;
        if (dot(lb->g, lb->g, n) == 0) return NN_LBFGS_MINIMIZED; /* liblbfgs's |g| / |x| <= 0 */
        if (lb->p.past > 0) {
            int slot = (int)(lb->k % lb->p.past);
            if (lb->p.past <= lb->k && fabs((lb->pf[slot] - lb->f) / lb->f) < lb->p.delta)
                return NN_LBFGS_CONVERGED;
            lb->pf[slot] = lb->f;
        }
        double *s = lb->s + (size_t)lb->end * n, *y = lb->y + (size_t)lb->end * n;
        for (int64_t i = 0; i < n; i++) {
            s[i] = lb->x[i] - lb->xt[i];
            y[i] = lb->g[i] - lb->gt[i];
        }
        lb->ys[lb->end] = dot(y, s, n);
        lb->end = (lb->end + 1) % m;
        if (save && save(user, lb)) return NN_LBFGS_STOPPED;
    }
}
