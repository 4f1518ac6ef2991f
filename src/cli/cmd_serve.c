/* cmd_serve.c — audiostyle serve: the program as a local web app (libmicrohttpd).
 *
 * The server is an HTTP front, a job store and a process supervisor. Every piece of audio work
 * runs in a child process of this same program (`audiostyle transfer|classify|features`), so
 * the web app gives exactly the CLI's results and messages, a decoder that misbehaves cannot take
 * the server down, and thread counts and signal handling stay per job. A transfer child reports
 * its progress as JSON lines on a pipe (AUDIOSTYLE_PROGRESS_FD, cmd_transfer.c).
 *
 * Jobs live on disk, each in DATA/jobs/ID/ (ID: 128 random bits from getrandom, as 32 hex
 * digits): the uploads under content/ and style/, job.meta (the state, written atomically), and
 * the child's outputs (written to temporary names and renamed by the child). A restart lists the
 * finished jobs again, re-queues the queued ones and marks a job that was running failed.
 *
 * Threads: libmicrohttpd's thread per connection (a classify waits for its child in its own
 * connection's thread; an event stream blocks on the job store's condition variable), --workers
 * worker threads for transfers, and the main thread waiting for SIGINT/SIGTERM. */
#define _GNU_SOURCE
#include "cli.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The page (web/, compiled in by scripts/gen_assets.sh). */
typedef struct serve_asset {
    const char *path, *type;
    const unsigned char *data;
    size_t len;
} serve_asset;
extern const serve_asset serve_assets[];
extern const int serve_n_assets;

typedef struct serve_args {
    const char *host, *data;
    int port, workers;
    double max_upload;
} serve_args;

#define O(f) offsetof(serve_args, f)
static const cli_opt serve_opts[] = {
    {.name = "host", .type = CLI_STRING, .metavar = "ADDR", .def = "127.0.0.1", .help = "the IPv4 address to listen on (0.0.0.0: every interface, with a warning: there is no authentication)", .offset = O(host)},
    {.name = "port", .short_name = 'p', .type = CLI_INT, .min = 0, .max = 65535, .def = "8080", .help = "the TCP port (0: any free port; the URL printed says which)", .offset = O(port)},
    {.name = "data", .type = CLI_STRING, .metavar = "DIR", .def_text = "$XDG_CACHE_HOME/audiostyle or ~/.cache/audiostyle", .help = "where jobs (inputs, outputs, state) are kept", .offset = O(data)},
    {.name = "max-upload", .type = CLI_DOUBLE, .metavar = "MB", .min = 0.001, .max = 100000, .def = "200", .help = "refuse request bodies above MB (413)", .offset = O(max_upload)},
    {.name = "workers", .type = CLI_INT, .metavar = "N", .min = 1, .max = 64, .def = "1", .help = "transfers run at a time (classify and features run alongside)", .offset = O(workers)},
};
#undef O

const cli_command cli_cmd_serve = {
    .name = "serve",
    .synopsis = "[--host 127.0.0.1] [--port 8080] [--data DIR] [--max-upload MB] [--workers N]",
    .summary = "the web app: upload, watch, listen, compare (a local HTTP server)",
    .description = "Serves the web app and its JSON API (see the README's \"Web app\" section): transfers run as jobs "
                   "in a bounded queue (--workers at a time), each in its own folder under --data, and survive a "
                   "restart; classify and features answer at once. Listens on 127.0.0.1 by default and prints the "
                   "URL. No authentication and no TLS: put it behind a reverse proxy to share it. Ctrl-C or "
                   "SIGTERM stop it; a job running then is marked failed.",
    .opts = serve_opts,
    .n_opts = CLI_N(serve_opts),
    .run = cmd_serve,
};

enum { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_CANCELLED };
static const char *const STATE[] = {"queued", "running", "done", "failed", "cancelled"};
enum { MAX_QUEUED = 16, MAX_JOB_OPTS = 24, MAX_CHILDREN_EXTRA = 4 };

typedef struct job {
    char id[33];
    int state;
    long long seq;
    double created, started, finished;
    char content[128], style[128]; /* the uploads' (sanitised) names */
    int n_opts;
    char opt_name[MAX_JOB_OPTS][40], opt_val[MAX_JOB_OPTS][64];
    char error[600];
    char stage[16];
    int iteration, iterations, evaluations;
    double content_loss, style_loss, eta;
    int cancel;
    pid_t pid;
    char *result; /* result.json (transfer --json) when done */
} job;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;     /* a job changed, or stopping */
    pthread_cond_t slots;  /* a classify/features slot came free */
    unsigned version;      /* bumped on every change */
    job **jobs;
    int n, cap;
    long long next_seq;
    int stopping, children, max_children, threads, workers;
    int active; /* requests in progress: at 0, free memory goes back to the system */
    char data[3000], exe[PATH_MAX], examples[3000]; /* data, examples: room for the names below */
    size_t max_upload;
} S = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .slots = PTHREAD_COND_INITIALIZER};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* ---- small helpers ------------------------------------------------------------------------ */

static int is_hex_id(const char *s, size_t n)
{
    if (n != 32) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

static int random_hex(char out[33])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t k = getrandom(b + got, sizeof b - got, 0);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        got += (size_t)k;
    }
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* An upload's file name reduced to [A-Za-z0-9._-], no leading dot, at most 100 bytes. */
static void sanitize_name(const char *in, char *out, size_t n)
{
    const char *b = in ? strrchr(in, '/') : NULL;
    if (in) {
        const char *b2 = strrchr(in, '\\');
        if (b2 && (!b || b2 > b)) b = b2;
    }
    const char *s = b ? b + 1 : (in ? in : "");
    size_t k = 0, lim = n - 1 < 100 ? n - 1 : 100;
    for (; *s && k < lim; s++) {
        unsigned char c = (unsigned char)*s;
        if (k == 0 && c == '.') continue;
        out[k++] = (char)((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                                  c == '-' || c == '_'
                              ? c
                              : '_');
    }
    out[k] = 0;
    if (!k) snprintf(out, n, "upload");
}

static int mkdir_p(const char *path)
{
    char b[PATH_MAX];
    snprintf(b, sizeof b, "%s", path);
    for (char *p = b + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(b, 0700) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(b, 0700) && errno != EEXIST ? -1 : 0;
}

/* Writes len bytes to dir/name through dir/.name.tmp, fsync (when durable) and rename: all or
 * nothing. */
static int write_file(const char *dir, const char *name, const void *buf, size_t len, int durable)
{
    char tmp[PATH_MAX + 64], dst[PATH_MAX + 64];
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    snprintf(dst, sizeof dst, "%s/%s", dir, name);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    const char *p = buf;
    size_t left = len;
    while (left) {
        ssize_t k = write(fd, p, left);
        if (k < 0) {
            if (errno == EINTR) continue;
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += k;
        left -= (size_t)k;
    }
    if ((durable && fsync(fd)) || close(fd) || rename(tmp, dst)) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int write_atomic(const char *dir, const char *name, const void *buf, size_t len)
{
    return write_file(dir, name, buf, len, 1);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *b = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? 2 * cap : 8192;
            char *nb = realloc(b, cap);
            if (!nb) {
                free(b);
                fclose(f);
                return NULL;
            }
            b = nb;
        }
        size_t k = fread(b + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0) break;
    }
    fclose(f);
    b[n] = 0;
    if (len) *len = n;
    return b;
}

static void rm_rf(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            struct stat st;
            if (!lstat(p, &st) && S_ISDIR(st.st_mode)) rm_rf(p);
            else unlink(p);
        }
        closedir(d);
    }
    rmdir(path);
}

static void job_dir(const job *j, char *b, size_t n) { snprintf(b, n, "%s/jobs/%s", S.data, j->id); }

/* The last line of a child's stderr that says something, without the "audiostyle: " prefix. */
static void last_message(const char *path, char *out, size_t n)
{
    char *t = read_file(path, NULL);
    out[0] = 0;
    if (!t) return;
    char *best = NULL, *save = NULL;
    for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (!strncmp(line, "audiostyle", 10) && !strstr(line, "warning:")) best = line;
    if (best) {
        char *c = strstr(best, ": ");
        snprintf(out, n, "%s", c ? c + 2 : best);
    }
    free(t);
}

/* ---- JSON --------------------------------------------------------------------------------- */

static void jnum(FILE *f, const char *key, double v)
{
    if (isfinite(v)) fprintf(f, ", \"%s\": %.10g", key, v);
    else fprintf(f, ", \"%s\": null", key);
}

static int queue_position(const job *j)
{
    if (j->state != JOB_QUEUED) return 0;
    int p = 1;
    for (int i = 0; i < S.n; i++)
        if (S.jobs[i]->state == JOB_QUEUED && S.jobs[i]->seq < j->seq) p++;
    return p;
}

/* The job as the API shows it (S.mu held). */
static void job_json(FILE *f, const job *j)
{
    fprintf(f, "{\"id\": \"%s\", \"state\": \"%s\", \"position\": ", j->id, STATE[j->state]);
    if (j->state == JOB_QUEUED) fprintf(f, "%d", queue_position(j));
    else fprintf(f, "null");
    fprintf(f, ", \"content\": ");
    cli_json_str(f, j->content);
    fprintf(f, ", \"style\": ");
    cli_json_str(f, j->style);
    fprintf(f, ", \"options\": {");
    for (int i = 0; i < j->n_opts; i++) {
        fprintf(f, "%s", i ? ", " : "");
        cli_json_str(f, j->opt_name[i]);
        fprintf(f, ": ");
        cli_json_str(f, j->opt_val[i]);
    }
    fprintf(f, "}");
    jnum(f, "created", j->created);
    jnum(f, "started", j->started > 0 ? j->started : NAN);
    jnum(f, "finished", j->finished > 0 ? j->finished : NAN);
    fprintf(f, ", \"stage\": ");
    if (j->stage[0]) cli_json_str(f, j->stage);
    else fprintf(f, "null");
    fprintf(f, ", \"iteration\": %d, \"iterations\": %d, \"evaluations\": %d", j->iteration, j->iterations,
            j->evaluations);
    jnum(f, "content_loss", j->content_loss >= 0 ? j->content_loss : NAN);
    jnum(f, "style_loss", j->style_loss >= 0 ? j->style_loss : NAN);
    jnum(f, "eta_seconds", j->eta >= 0 ? j->eta : NAN);
    fprintf(f, ", \"error\": ");
    if (j->error[0]) cli_json_str(f, j->error);
    else fprintf(f, "null");
    fprintf(f, ", \"result\": %s", j->result && j->state == JOB_DONE ? j->result : "null");
    if (j->state == JOB_DONE)
        fprintf(f, ", \"files\": {\"wav\": \"/api/jobs/%s/result.wav\", \"flac\": \"/api/jobs/%s/result.flac\", "
                   "\"report\": \"/api/jobs/%s/report.html\", \"spectrograms\": \"/api/jobs/%s/spectrograms.png\", "
                   "\"content\": \"/api/jobs/%s/content\", \"style\": \"/api/jobs/%s/style\"}",
                j->id, j->id, j->id, j->id, j->id, j->id);
    else
        fprintf(f, ", \"files\": {\"content\": \"/api/jobs/%s/content\", \"style\": \"/api/jobs/%s/style\"}", j->id,
                j->id);
    fprintf(f, "}");
}

/* ---- the job store on disk ---------------------------------------------------------------- */

/* job.meta: "key value" lines (S.mu held or the job not yet shared). */
static int job_save(const job *j)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return -1;
    fprintf(f, "audiostyle-job 1\nstate %s\nseq %lld\ncreated %.3f\nstarted %.3f\nfinished %.3f\ncontent %s\nstyle %s\n",
            STATE[j->state], j->seq, j->created, j->started, j->finished, j->content, j->style);
    for (int i = 0; i < j->n_opts; i++) fprintf(f, "opt %s %s\n", j->opt_name[i], j->opt_val[i]);
    if (j->error[0]) {
        fprintf(f, "error ");
        for (const char *p = j->error; *p; p++) fputc(*p == '\n' ? ' ' : *p, f);
        fputc('\n', f);
    }
    fclose(f);
    char dir[PATH_MAX];
    job_dir(j, dir, sizeof dir);
    int rc = write_atomic(dir, "job.meta", buf, len);
    free(buf);
    return rc;
}

static job *job_load(const char *id)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/jobs/%s/job.meta", S.data, id);
    char *t = read_file(path, NULL);
    if (!t) return NULL;
    job *j = calloc(1, sizeof *j);
    if (!j) {
        free(t);
        return NULL;
    }
    memcpy(j->id, id, 32); /* is_hex_id: exactly 32 characters */
    j->id[32] = 0;
    j->state = -1;
    j->content_loss = j->style_loss = j->eta = -1;
    int ok = !strncmp(t, "audiostyle-job 1\n", 17);
    char *save = NULL;
    for (char *line = strtok_r(t, "\n", &save); ok && line; line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp) continue;
        *sp = 0;
        const char *k = line, *v = sp + 1;
        if (!strcmp(k, "state")) {
            for (int s = 0; s < 5; s++)
                if (!strcmp(v, STATE[s])) j->state = s;
        } else if (!strcmp(k, "seq")) j->seq = atoll(v);
        else if (!strcmp(k, "created")) j->created = atof(v);
        else if (!strcmp(k, "started")) j->started = atof(v);
        else if (!strcmp(k, "finished")) j->finished = atof(v);
        else if (!strcmp(k, "content")) snprintf(j->content, sizeof j->content, "%s", v);
        else if (!strcmp(k, "style")) snprintf(j->style, sizeof j->style, "%s", v);
        else if (!strcmp(k, "error")) snprintf(j->error, sizeof j->error, "%s", v);
        else if (!strcmp(k, "opt") && j->n_opts < MAX_JOB_OPTS) {
            const char *sp2 = strchr(v, ' ');
            if (!sp2) continue;
            snprintf(j->opt_name[j->n_opts], sizeof j->opt_name[0], "%.*s", (int)(sp2 - v), v);
            snprintf(j->opt_val[j->n_opts], sizeof j->opt_val[0], "%s", sp2 + 1);
            j->n_opts++;
        }
    }
    free(t);
    if (!ok || j->state < 0 || !j->content[0] || !j->style[0]) {
        free(j);
        return NULL;
    }
    if (j->state == JOB_DONE) {
        snprintf(path, sizeof path, "%s/jobs/%s/result.json", S.data, id);
        j->result = read_file(path, NULL);
        if (j->result) { /* one line of JSON: trim the newline */
            size_t n = strlen(j->result);
            while (n && (j->result[n - 1] == '\n' || j->result[n - 1] == '\r')) j->result[--n] = 0;
        }
        if (!j->result || j->result[0] != '{') {
            free(j->result);
            j->result = NULL;
            j->state = JOB_FAILED;
            snprintf(j->error, sizeof j->error, "the job's results are missing");
        }
    }
    return j;
}

static int store_add(job *j)
{
    if (S.n == S.cap) {
        int cap = S.cap ? 2 * S.cap : 64;
        job **nj = realloc(S.jobs, sizeof *nj * (size_t)cap);
        if (!nj) return -1;
        S.jobs = nj;
        S.cap = cap;
    }
    S.jobs[S.n++] = j;
    return 0;
}

static job *store_find(const char *id, size_t n)
{
    if (!is_hex_id(id, n)) return NULL;
    for (int i = 0; i < S.n; i++)
        if (!strncmp(S.jobs[i]->id, id, 32)) return S.jobs[i];
    return NULL;
}

/* Temporary files a killed child may have left (".NAME.tmp", "*.tmp-*", result.json.tmp). */
static void remove_leftovers(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strstr(n, ".tmp") && strcmp(n, ".") && strcmp(n, "..")) {
            char p[PATH_MAX + 300];
            snprintf(p, sizeof p, "%s/%s", dir, n);
            unlink(p);
        }
    }
    closedir(d);
}

static int cmp_seq(const void *a, const void *b)
{
    const job *x = *(job *const *)a, *y = *(job *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void store_load_all(void)
{
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/jobs", S.data);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_hex_id(e->d_name, strlen(e->d_name))) continue;
        job *j = job_load(e->d_name);
        if (!j) continue;
        if (j->state == JOB_RUNNING) {
            j->state = JOB_FAILED;
            j->finished = now_s();
            snprintf(j->error, sizeof j->error, "the server stopped while the job was running");
            char dir[PATH_MAX];
            job_dir(j, dir, sizeof dir);
            remove_leftovers(dir);
            job_save(j);
        }
        if (j->seq >= S.next_seq) S.next_seq = j->seq + 1;
        if (store_add(j)) free(j);
    }
    closedir(d);
    if (S.n > 1) qsort(S.jobs, (size_t)S.n, sizeof *S.jobs, cmp_seq);
}

/* ---- child processes ---------------------------------------------------------------------- */

/* Runs this program with argv (argv[0] is ignored) in cwd, stdout and stderr to files there,
 * progress_fd (or -1) as descriptor 3 with AUDIOSTYLE_PROGRESS_FD=3. The child dies with the
 * thread that started it (PR_SET_PDEATHSIG), so a killed server leaves no orphan writing. */
static pid_t spawn(char **argv, const char *cwd, const char *out, const char *err, int progress_fd)
{
    int n_env = 0;
    while (environ[n_env]) n_env++;
    char **envp = calloc((size_t)n_env + 2, sizeof *envp);
    if (!envp) return -1;
    int k = 0;
    for (int i = 0; i < n_env; i++)
        if (strncmp(environ[i], "AUDIOSTYLE_PROGRESS_FD=", 23)) envp[k++] = environ[i];
    static char pfd[] = "AUDIOSTYLE_PROGRESS_FD=3";
    if (progress_fd >= 0) envp[k++] = pfd;
    envp[k] = NULL;
    char outp[PATH_MAX + 300], errp[PATH_MAX + 300];
    snprintf(outp, sizeof outp, "%s/%s", cwd, out);
    snprintf(errp, sizeof errp, "%s/%s", cwd, err);
    int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int fn = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t parent = getpid();
    pid_t pid = (fo < 0 || fe < 0 || fn < 0) ? -1 : fork();
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        pthread_sigmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        if (chdir(cwd)) _exit(127);
        if (progress_fd >= 0) {
            if (progress_fd == 3) fcntl(3, F_SETFD, 0);
            else if (dup2(progress_fd, 3) < 0) _exit(127);
        }
        if (dup2(fn, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0) _exit(127);
        execve(S.exe, argv, envp);
        _exit(127);
    }
    if (fo >= 0) close(fo);
    if (fe >= 0) close(fe);
    if (fn >= 0) close(fn);
    free(envp);
    return pid;
}

static int wait_child(pid_t pid)
{
    int ws;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR) return -1;
    return ws;
}

static void describe_exit(int ws, char *b, size_t n)
{
    if (WIFEXITED(ws)) snprintf(b, n, "the worker process exited with status %d", WEXITSTATUS(ws));
    else if (WIFSIGNALED(ws)) snprintf(b, n, "the worker process was killed by signal %d", WTERMSIG(ws));
    else snprintf(b, n, "the worker process failed");
}

/* ---- the transfer workers ----------------------------------------------------------------- */

static void bump(void)
{
    S.version++;
    pthread_cond_broadcast(&S.cv);
}

/* The result as FLAC beside the WAV (for downloads), through a temporary name. */
static void make_flac(const char *dir)
{
    char wav[PATH_MAX + 32], tmp[PATH_MAX + 32], dst[PATH_MAX + 32];
    snprintf(wav, sizeof wav, "%s/result.wav", dir);
    snprintf(tmp, sizeof tmp, "%s/result.flac.tmp.flac", dir);
    snprintf(dst, sizeof dst, "%s/result.flac", dir);
    as_signal y = {0};
    as_error err = {0};
    as_load_opts lo = {0};
    if (as_audio_load(wav, &lo, &y, &err) != AS_OK) return;
    as_save_opts so = {.sample_format = AS_SAVE_PCM16, .level = AS_LEVEL_AS_IS};
    if (as_audio_save(tmp, y.data, y.n, AS_SR, &so, &err) == AS_OK) {
        if (rename(tmp, dst)) unlink(tmp);
    } else {
        unlink(tmp);
    }
    as_signal_free(&y);
}

static void run_job(job *j)
{
    char dir[PATH_MAX];
    job_dir(j, dir, sizeof dir);
    char *argv[18 + 2 * MAX_JOB_OPTS];
    char threads[16], cin[200], sin[200], opt[MAX_JOB_OPTS][48];
    int a = 0;
    snprintf(threads, sizeof threads, "%d", S.threads);
    snprintf(cin, sizeof cin, "content/%s", j->content);
    snprintf(sin, sizeof sin, "style/%s", j->style);
    argv[a++] = "audiostyle";
    argv[a++] = "transfer";
    argv[a++] = cin;
    argv[a++] = sin;
    argv[a++] = "-o";
    argv[a++] = "result.wav";
    argv[a++] = "--picture";
    argv[a++] = "spectrograms.png";
    argv[a++] = "--report";
    argv[a++] = "report.html";
    argv[a++] = "--json";
    argv[a++] = "--quiet";
    argv[a++] = "--force";
    argv[a++] = "--no-checkpoint"; /* the server cancels and restarts its jobs itself */
    argv[a++] = "--threads";
    argv[a++] = threads;
    for (int i = 0; i < j->n_opts; i++) {
        snprintf(opt[i], sizeof opt[i], "--%s", j->opt_name[i]);
        argv[a++] = opt[i];
        argv[a++] = j->opt_val[i];
    }
    argv[a] = NULL;
    int p[2];
    pid_t pid = -1;
    if (pipe2(p, O_CLOEXEC) == 0) {
        pthread_mutex_lock(&S.mu);
        if (!j->cancel && !S.stopping) pid = spawn(argv, dir, "result.json.tmp", "transfer.log", p[1]);
        j->pid = pid;
        pthread_mutex_unlock(&S.mu);
        close(p[1]);
    } else {
        p[0] = -1;
    }
    if (pid > 0) {
        FILE *f = fdopen(p[0], "r");
        char *line = NULL;
        size_t cap = 0;
        while (f && getline(&line, &cap, f) > 0) {
            char stage[16];
            int it, its, ev;
            double cl, sl, secs, eta;
            if (sscanf(line,
                       "{\"stage\": \"%15[^\"]\", \"iteration\": %d, \"iterations\": %d, \"evaluations\": %d, "
                       "\"content_loss\": %lf, \"style_loss\": %lf, \"seconds\": %lf, \"eta_seconds\": %lf}",
                       stage, &it, &its, &ev, &cl, &sl, &secs, &eta) == 8) {
                pthread_mutex_lock(&S.mu);
                snprintf(j->stage, sizeof j->stage, "%s", stage);
                j->iteration = it;
                j->iterations = its;
                j->evaluations = ev;
                if (!strcmp(stage, "optimize")) {
                    j->content_loss = cl;
                    j->style_loss = sl;
                }
                j->eta = eta;
                bump();
                pthread_mutex_unlock(&S.mu);
            }
        }
        free(line);
        if (f) fclose(f);
        else close(p[0]);
    } else if (p[0] >= 0) {
        close(p[0]);
    }
    int ws = pid > 0 ? wait_child(pid) : -1;
    char log[PATH_MAX + 32], res[PATH_MAX + 32], fin[PATH_MAX + 32];
    snprintf(log, sizeof log, "%s/transfer.log", dir);
    snprintf(res, sizeof res, "%s/result.json.tmp", dir);
    snprintf(fin, sizeof fin, "%s/result.json", dir);
    int ok = pid > 0 && ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    char *result = NULL;
    if (ok) {
        make_flac(dir);
        result = read_file(res, NULL);
        size_t n = result ? strlen(result) : 0;
        while (n && (result[n - 1] == '\n' || result[n - 1] == '\r')) result[--n] = 0;
        if (!result || result[0] != '{' || rename(res, fin)) ok = 0;
    }
    pthread_mutex_lock(&S.mu);
    j->pid = 0;
    j->finished = now_s();
    if (ok) {
        j->state = JOB_DONE;
        j->result = result;
        result = NULL;
        j->eta = 0;
    } else if (j->cancel) {
        j->state = JOB_CANCELLED;
        snprintf(j->error, sizeof j->error, "cancelled");
    } else {
        j->state = JOB_FAILED;
        if (S.stopping) snprintf(j->error, sizeof j->error, "the server shut down while the job was running");
        else {
            last_message(log, j->error, sizeof j->error);
            if (!j->error[0]) {
                if (pid > 0) describe_exit(ws, j->error, sizeof j->error);
                else snprintf(j->error, sizeof j->error, "could not start the worker process");
            }
        }
    }
    if (!ok) {
        unlink(res);
        remove_leftovers(dir);
    }
    job_save(j);
    bump();
    pthread_mutex_unlock(&S.mu);
    free(result);
}

static void *worker(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&S.mu);
    for (;;) {
        job *next = NULL;
        while (!S.stopping) {
            for (int i = 0; i < S.n; i++)
                if (S.jobs[i]->state == JOB_QUEUED && (!next || S.jobs[i]->seq < next->seq)) next = S.jobs[i];
            if (next) break;
            pthread_cond_wait(&S.cv, &S.mu);
        }
        if (S.stopping) break;
        next->state = JOB_RUNNING;
        next->started = now_s();
        job_save(next);
        bump();
        pthread_mutex_unlock(&S.mu);
        run_job(next);
        pthread_mutex_lock(&S.mu);
    }
    pthread_mutex_unlock(&S.mu);
    return NULL;
}

/* ---- requests ----------------------------------------------------------------------------- */

typedef struct req {
    char *body;
    size_t len, cap;
    int too_large, post;
} req;

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, const char *type, char *buf, size_t len,
                                int owned)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, buf, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (owned) free(buf);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, char *json, size_t len)
{
    return send_buf(c, status, "application/json", json, len, 1);
}

/* The job j as JSON; called with S.mu held, which it releases before sending. */
static enum MHD_Result send_job_unlock(struct MHD_Connection *c, const job *j, unsigned status)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f) {
        job_json(f, j);
        fputc('\n', f);
        fclose(f);
    }
    pthread_mutex_unlock(&S.mu);
    if (!f) return MHD_NO;
    return send_json(c, status, buf, len);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return MHD_NO;
    fprintf(f, "{\"error\": ");
    cli_json_str(f, msg);
    fprintf(f, "}\n");
    fclose(f);
    return send_json(c, status, buf, len);
}

static enum MHD_Result send_file(struct MHD_Connection *c, const char *path, const char *type, const char *name)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return send_error(c, MHD_HTTP_NOT_FOUND, "no such file");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (name) {
        char cd[300];
        snprintf(cd, sizeof cd, "inline; filename=\"%s\"", name);
        MHD_add_response_header(r, "Content-Disposition", cd);
    }
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static const char *audio_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (!strcasecmp(dot, ".wav")) return "audio/wav";
    if (!strcasecmp(dot, ".flac")) return "audio/flac";
    if (!strcasecmp(dot, ".mp3")) return "audio/mpeg";
    if (!strcasecmp(dot, ".ogg") || !strcasecmp(dot, ".oga")) return "audio/ogg";
    return "application/octet-stream";
}

/* multipart/form-data (RFC 7578), strictly: every part framed by the boundary, the closing
 * delimiter present. */
typedef struct part {
    char name[64], filename[256];
    int has_filename;
    const char *data;
    size_t len;
} part;

static int header_param(const char *h, size_t hl, const char *key, char *out, size_t n, int *found)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 1 < hl; i++) {
        if ((i == 0 || h[i - 1] == ' ' || h[i - 1] == ';') && !strncasecmp(h + i, key, kl) && h[i + kl] == '=') {
            const char *v = h + i + kl + 1, *end = h + hl;
            size_t k = 0;
            if (v < end && *v == '"') {
                v++;
                while (v < end && *v != '"') {
                    if (k + 1 < n) out[k++] = *v;
                    v++;
                }
                if (v >= end) return -1;
            } else {
                while (v < end && *v != ';' && *v != ' ') {
                    if (k + 1 < n) out[k++] = *v;
                    v++;
                }
            }
            out[k] = 0;
            if (found) *found = 1;
            return 0;
        }
    }
    return 0;
}

static int parse_multipart(const char *ctype, const char *body, size_t len, part *parts, int max, int *np)
{
    *np = 0;
    if (!ctype || strncasecmp(ctype, "multipart/form-data", 19)) return -1;
    char bnd[80] = "";
    int found = 0;
    const char *b = strcasestr(ctype, "boundary=");
    if (!b) return -1;
    if (header_param(b, strlen(b), "boundary", bnd, sizeof bnd, &found) || !found || !bnd[0] || strlen(bnd) > 70)
        return -1;
    char delim[96];
    int dl = snprintf(delim, sizeof delim, "--%s", bnd);
    const char *p = memmem(body, len, delim, (size_t)dl), *end = body + len;
    if (!p) return -1;
    p += dl;
    for (;;) {
        if (end - p >= 2 && p[0] == '-' && p[1] == '-') return 0; /* the closing delimiter */
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n') return -1;
        p += 2;
        const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
        if (!hend) return -1;
        if (*np >= max) return -1;
        part *pt = &parts[*np];
        memset(pt, 0, sizeof *pt);
        for (const char *h = p; h < hend;) {
            const char *eol = memmem(h, (size_t)(hend - h), "\r\n", 2);
            if (!eol) eol = hend;
            size_t hl = (size_t)(eol - h);
            if (hl > 20 && !strncasecmp(h, "Content-Disposition:", 20)) {
                int fn = 0, nm = 0;
                if (header_param(h + 20, hl - 20, "name", pt->name, sizeof pt->name, &nm) ||
                    header_param(h + 20, hl - 20, "filename", pt->filename, sizeof pt->filename, &fn))
                    return -1;
                pt->has_filename = fn;
                if (!nm) return -1;
            }
            h = eol + 2;
        }
        if (!pt->name[0]) return -1;
        const char *data = hend + 4;
        char crd[100];
        int cl = snprintf(crd, sizeof crd, "\r\n%s", delim);
        const char *next = memmem(data, (size_t)(end - data), crd, (size_t)cl);
        if (!next) return -1;
        pt->data = data;
        pt->len = (size_t)(next - data);
        (*np)++;
        p = next + cl;
    }
}

static const part *find_part(const part *ps, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(ps[i].name, name)) return &ps[i];
    return NULL;
}

/* The transfer options a job may set: the option table's numbers and choices, less those that
 * are the server's to decide (threads, memory, outputs, checkpoints). */
static const cli_opt *job_option(const char *field)
{
    char name[64];
    size_t n = strlen(field);
    if (n >= sizeof name) return NULL;
    for (size_t i = 0; i <= n; i++) name[i] = field[i] == '_' ? '-' : field[i];
    int no = 0;
    const cli_opt *t = cli_options("transfer", &no);
    for (int i = 0; i < no; i++) {
        if (strcmp(t[i].name, name)) continue;
        if (t[i].type != CLI_INT && t[i].type != CLI_U64 && t[i].type != CLI_DOUBLE && t[i].type != CLI_CHOICE)
            return NULL;
        if (!strcmp(name, "threads") || !strcmp(name, "max-memory") || !strcmp(name, "checkpoint-every"))
            return NULL; /* the server's; its jobs run without checkpoints */
        return &t[i];
    }
    return NULL;
}

/* Checks a field's value against the table (as cli_parse would); 0 or a message in msg. */
static int check_value(const cli_opt *o, const char *v, char *msg, size_t n)
{
    if (!*v || strlen(v) > 60) return snprintf(msg, n, "%s: a value is needed", o->name), -1;
    if (o->type == CLI_CHOICE) {
        const char *c = o->choices;
        size_t vl = strlen(v);
        while (c && *c) {
            const char *bar = strchr(c, '|');
            size_t cl = bar ? (size_t)(bar - c) : strlen(c);
            if (cl == vl && !strncmp(c, v, vl)) return 0;
            c = bar ? bar + 1 : NULL;
        }
        return snprintf(msg, n, "%s: '%s' is not one of %s", o->name, v, o->choices), -1;
    }
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (*end || errno || !isfinite(d)) return snprintf(msg, n, "%s: '%s' is not a number", o->name, v), -1;
    if (o->type != CLI_DOUBLE && d != floor(d)) return snprintf(msg, n, "%s: '%s' is not a whole number", o->name, v), -1;
    double lo = o->min, hi = o->max;
    if (o->type == CLI_U64 && lo == 0 && hi == 0) hi = 18446744073709551615.0;
    if (d < lo || d > hi) return snprintf(msg, n, "%s: %s is outside %g..%g", o->name, v, lo, hi), -1;
    return 0;
}

/* durable: a job's input (fsync'd: it must survive a crash); else a classify's scratch copy. */
static int save_upload(const char *dir, const char *sub, const part *pt, char *name, size_t n, int durable)
{
    char d[PATH_MAX + 64];
    snprintf(d, sizeof d, "%s/%s", dir, sub);
    if (mkdir_p(d)) return -1;
    sanitize_name(pt->filename, name, n);
    return write_file(d, name, pt->data, pt->len, durable);
}

/* Whether the upload decodes: `audiostyle info` on it, as the CLI would say it; 0 or the HTTP
 * status with the message in msg. */
static int check_audio(const char *dir, const char *name, char *msg, size_t n)
{
    char *argv[] = {"audiostyle", "info", (char *)name, NULL};
    pid_t pid = spawn(argv, dir, ".info.out", ".info.err", -1);
    if (pid < 0) return snprintf(msg, n, "could not start the worker process"), 500;
    int ws = wait_child(pid);
    char p[PATH_MAX + 32];
    snprintf(p, sizeof p, "%s/.info.err", dir);
    last_message(p, msg, n);
    unlink(p);
    snprintf(p, sizeof p, "%s/.info.out", dir);
    unlink(p);
    if (ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0) return 0;
    if (!msg[0]) snprintf(msg, n, "%s: not a readable audio file", name);
    else if (!strstr(msg, name)) {
        char m2[700];
        snprintf(m2, sizeof m2, "%s: %s", name, msg);
        snprintf(msg, n, "%s", m2);
    }
    return 415;
}

static enum MHD_Result post_job(struct MHD_Connection *c, const part *ps, int np)
{
    const part *pc = find_part(ps, np, "content"), *pst = find_part(ps, np, "style");
    if (!pc || !pst || !pc->has_filename || !pst->has_filename)
        return send_error(c, MHD_HTTP_BAD_REQUEST, "give two files, 'content' and 'style'");
    if (!pc->len || !pst->len) return send_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "%s: the file is empty", !pc->len ? "content" : "style");
    job *j = calloc(1, sizeof *j);
    if (!j) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    j->content_loss = j->style_loss = j->eta = -1;
    char msg[700];
    for (int i = 0; i < np; i++) {
        if (&ps[i] == pc || &ps[i] == pst) continue;
        const cli_opt *o = job_option(ps[i].name);
        if (!o) {
            free(j);
            return send_error(c, MHD_HTTP_BAD_REQUEST, "unknown field '%s'", ps[i].name);
        }
        char v[64];
        if (ps[i].len >= sizeof v || memchr(ps[i].data, '\n', ps[i].len)) {
            free(j);
            return send_error(c, MHD_HTTP_BAD_REQUEST, "%s: the value is too long", o->name);
        }
        memcpy(v, ps[i].data, ps[i].len);
        v[ps[i].len] = 0;
        if (!v[0]) continue; /* an empty form field: the default */
        if (check_value(o, v, msg, sizeof msg)) {
            free(j);
            return send_error(c, MHD_HTTP_BAD_REQUEST, "%s", msg);
        }
        if (j->n_opts >= MAX_JOB_OPTS) {
            free(j);
            return send_error(c, MHD_HTTP_BAD_REQUEST, "too many fields");
        }
        snprintf(j->opt_name[j->n_opts], sizeof j->opt_name[0], "%s", o->name);
        snprintf(j->opt_val[j->n_opts], sizeof j->opt_val[0], "%s", v);
        j->n_opts++;
    }
    pthread_mutex_lock(&S.mu);
    int queued = 0;
    for (int i = 0; i < S.n; i++) queued += S.jobs[i]->state == JOB_QUEUED;
    pthread_mutex_unlock(&S.mu);
    if (queued >= MAX_QUEUED) {
        free(j);
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the queue is full (%d jobs waiting); try again later", MAX_QUEUED);
    }
    if (random_hex(j->id)) {
        free(j);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "no random numbers");
    }
    char dir[PATH_MAX], sub[PATH_MAX + 16];
    job_dir(j, dir, sizeof dir);
    if (mkdir_p(dir) || save_upload(dir, "content", pc, j->content, sizeof j->content, 1) ||
        save_upload(dir, "style", pst, j->style, sizeof j->style, 1)) {
        rm_rf(dir);
        free(j);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the uploads");
    }
    snprintf(sub, sizeof sub, "%s/content", dir);
    int bad = check_audio(sub, j->content, msg, sizeof msg);
    if (!bad) {
        snprintf(sub, sizeof sub, "%s/style", dir);
        bad = check_audio(sub, j->style, msg, sizeof msg);
    }
    if (bad) {
        rm_rf(dir);
        free(j);
        return send_error(c, (unsigned)bad, "%s", msg);
    }
    pthread_mutex_lock(&S.mu);
    queued = 0;
    for (int i = 0; i < S.n; i++) queued += S.jobs[i]->state == JOB_QUEUED;
    int full = queued >= MAX_QUEUED || S.stopping;
    if (!full) {
        j->state = JOB_QUEUED;
        j->seq = S.next_seq++;
        j->created = now_s();
        full = job_save(j) || store_add(j);
    }
    if (full) {
        pthread_mutex_unlock(&S.mu);
        rm_rf(dir);
        free(j);
        return send_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "the queue is full; try again later");
    }
    bump();
    return send_job_unlock(c, j, MHD_HTTP_ACCEPTED);
}

/* classify or features on one upload, in a child, at most S.max_children at a time. */
static enum MHD_Result post_analysis(struct MHD_Connection *c, const part *ps, int np, int features, int csv)
{
    const part *pf = find_part(ps, np, "file");
    if (!pf || !pf->has_filename) return send_error(c, MHD_HTTP_BAD_REQUEST, "give a file in the field 'file'");
    for (int i = 0; i < np; i++)
        if (&ps[i] != pf) return send_error(c, MHD_HTTP_BAD_REQUEST, "unknown field '%s'", ps[i].name);
    char id[33], dir[PATH_MAX], name[128];
    if (random_hex(id)) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "no random numbers");
    snprintf(dir, sizeof dir, "%s/tmp/%s", S.data, id);
    if (mkdir_p(dir) || save_upload(dir, ".", pf, name, sizeof name, 0)) {
        rm_rf(dir);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot store the upload");
    }
    char *argv_c[] = {"audiostyle", "classify", name, "--json", NULL};
    char *argv_f[] = {"audiostyle", "features", name, "-o", "-", "--quiet", "--jobs", "1", NULL};
    pthread_mutex_lock(&S.mu);
    while (S.children >= S.max_children && !S.stopping) pthread_cond_wait(&S.slots, &S.mu);
    S.children++;
    pthread_mutex_unlock(&S.mu);
    pid_t pid = spawn(features ? argv_f : argv_c, dir, ".out", ".err", -1);
    int ws = pid > 0 ? wait_child(pid) : -1;
    pthread_mutex_lock(&S.mu);
    S.children--;
    pthread_cond_signal(&S.slots);
    pthread_mutex_unlock(&S.mu);
    char p[PATH_MAX + 16], msg[700];
    snprintf(p, sizeof p, "%s/.err", dir);
    last_message(p, msg, sizeof msg);
    snprintf(p, sizeof p, "%s/.out", dir);
    size_t len = 0;
    char *out = read_file(p, &len);
    rm_rf(dir);
    if (pid <= 0 || ws < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || !out || !len) {
        free(out);
        if (pid <= 0) return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "could not start the worker process");
        if (!msg[0]) snprintf(msg, sizeof msg, "%s: cannot be analysed", name);
        unsigned st = strstr(msg, "too short") || strstr(msg, "cannot classify") ? MHD_HTTP_UNPROCESSABLE_CONTENT
                                                                                  : MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
        return send_error(c, st, "%s", msg);
    }
    if (!features) return send_json(c, MHD_HTTP_OK, out, len);
    if (csv) return send_buf(c, MHD_HTTP_OK, "text/csv", out, len, 1);
    /* the CSV's header and first row as one JSON object: {"file", "features": {column: value}} */
    char *nl = strchr(out, '\n');
    if (!nl) {
        free(out);
        return send_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "features: no output");
    }
    *nl = 0;
    char *row = nl + 1, *rnl = strchr(row, '\n');
    if (rnl) *rnl = 0;
    char *buf = NULL;
    size_t blen = 0;
    FILE *f = open_memstream(&buf, &blen);
    if (!f) {
        free(out);
        return MHD_NO;
    }
    fprintf(f, "{\"file\": ");
    cli_json_str(f, name);
    fprintf(f, ", \"features\": {");
    char *hs = NULL, *rs = NULL;
    int k = 0;
    double length = -1;
    for (char *h = strtok_r(out, ",", &hs), *v = strtok_r(row, ",", &rs); h && v;
         h = strtok_r(NULL, ",", &hs), v = strtok_r(NULL, ",", &rs)) {
        char *end;
        double d = strtod(v, &end);
        if (!strcmp(h, "length") && !*end) length = d;
        int feature = 0;
        for (int i = 0; i < as_features_count() && !feature; i++) feature = !strcmp(h, as_features_column(i));
        if (!feature) continue;
        fprintf(f, "%s", k++ ? ", " : "");
        cli_json_str(f, h);
        if (*end || !isfinite(d)) {
            fprintf(f, ": ");
            cli_json_str(f, v);
        } else {
            fprintf(f, ": %.9g", d);
        }
    }
    fprintf(f, "}, \"count\": %d", k);
    if (length >= 0) fprintf(f, ", \"length\": %.0f", length);
    fprintf(f, "}\n");
    fclose(f);
    free(out);
    return send_json(c, MHD_HTTP_OK, buf, blen);
}

/* GET /api/jobs/ID/events: Server-Sent Events, one "progress" event per change (the job as
 * GET /api/jobs/ID shows it), a comment every 15 s, the stream ends after the final state. */
typedef struct sse {
    char id[33];
    unsigned seen;
    int done;
    char *pending;
    size_t len, off;
} sse;

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    sse *e = cls;
    if (e->pending && e->off < e->len) {
        size_t k = e->len - e->off < max ? e->len - e->off : max;
        memcpy(buf, e->pending + e->off, k);
        e->off += k;
        return (ssize_t)k;
    }
    free(e->pending);
    e->pending = NULL;
    if (e->done) return MHD_CONTENT_READER_END_OF_STREAM;
    pthread_mutex_lock(&S.mu);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 15;
    int timed_out = 0;
    while (S.version == e->seen && !S.stopping && !timed_out)
        timed_out = pthread_cond_timedwait(&S.cv, &S.mu, &dl) == ETIMEDOUT;
    job *j = store_find(e->id, 32);
    if (!j || S.stopping) {
        pthread_mutex_unlock(&S.mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    FILE *f = open_memstream(&e->pending, &e->len);
    if (!f) {
        pthread_mutex_unlock(&S.mu);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (timed_out && S.version == e->seen) {
        fprintf(f, ": keep-alive\n\n");
    } else {
        e->seen = S.version;
        int final = j->state >= JOB_DONE;
        fprintf(f, "event: %s\ndata: ", final ? "end" : "progress");
        job_json(f, j);
        fprintf(f, "\n\n");
        e->done = final;
    }
    pthread_mutex_unlock(&S.mu);
    fclose(f);
    e->off = 0;
    return sse_read(cls, pos, buf, max);
}

static void sse_free(void *cls)
{
    sse *e = cls;
    free(e->pending);
    free(e);
}

static enum MHD_Result get_events(struct MHD_Connection *c, const char *id)
{
    sse *e = calloc(1, sizeof *e);
    if (!e) return MHD_NO;
    snprintf(e->id, sizeof e->id, "%s", id);
    e->seen = S.version - 1; /* the first event at once */
    struct MHD_Response *r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, e, sse_free);
    if (!r) {
        free(e);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result list_jobs(struct MHD_Connection *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return MHD_NO;
    pthread_mutex_lock(&S.mu);
    fprintf(f, "{\"jobs\": [");
    for (int i = S.n - 1, k = 0; i >= 0; i--, k++) { /* newest first */
        fprintf(f, "%s", k ? ",\n" : "");
        job_json(f, S.jobs[i]);
    }
    fprintf(f, "], \"workers\": %d, \"max_queued\": %d}\n", S.workers, MAX_QUEUED);
    pthread_mutex_unlock(&S.mu);
    fclose(f);
    return send_json(c, MHD_HTTP_OK, buf, len);
}

static enum MHD_Result one_job(struct MHD_Connection *c, const char *id, size_t idlen, const char *rest, int del)
{
    pthread_mutex_lock(&S.mu);
    job *j = store_find(id, idlen);
    if (!j) {
        pthread_mutex_unlock(&S.mu);
        return send_error(c, MHD_HTTP_NOT_FOUND, "no such job");
    }
    if (del) {
        if (j->state == JOB_QUEUED) {
            j->state = JOB_CANCELLED;
            j->cancel = 1;
            j->finished = now_s();
            snprintf(j->error, sizeof j->error, "cancelled");
            job_save(j);
            bump();
        } else if (j->state == JOB_RUNNING) {
            j->cancel = 1;
            if (j->pid > 0) kill(j->pid, SIGINT);
            bump();
        } else {
            pthread_mutex_unlock(&S.mu);
            return send_error(c, MHD_HTTP_CONFLICT, "the job has already finished (%s)", STATE[j->state]);
        }
    }
    if (!*rest || del) return send_job_unlock(c, j, del ? MHD_HTTP_ACCEPTED : MHD_HTTP_OK);
    char dir[PATH_MAX], path[PATH_MAX + 200], id2[33], name[130];
    job_dir(j, dir, sizeof dir);
    snprintf(id2, sizeof id2, "%s", j->id);
    int state = j->state;
    pthread_mutex_unlock(&S.mu);
    if (!strcmp(rest, "/events")) return get_events(c, id2);
    static const struct {
        const char *file, *type;
    } outs[] = {{"result.wav", "audio/wav"},
                {"result.flac", "audio/flac"},
                {"report.html", "text/html; charset=utf-8"},
                {"spectrograms.png", "image/png"}};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
        if (!strcmp(rest + 1, outs[i].file) && rest[0] == '/') {
            if (state != JOB_DONE) return send_error(c, MHD_HTTP_NOT_FOUND, "the job has no results (%s)", STATE[state]);
            snprintf(path, sizeof path, "%s/%s", dir, outs[i].file);
            return send_file(c, path, outs[i].type, outs[i].file);
        }
    if (!strcmp(rest, "/content") || !strcmp(rest, "/style")) {
        pthread_mutex_lock(&S.mu);
        snprintf(name, sizeof name, "%s", rest[1] == 'c' ? j->content : j->style);
        pthread_mutex_unlock(&S.mu);
        snprintf(path, sizeof path, "%s%s/%s", dir, rest, name);
        return send_file(c, path, audio_type(name), name);
    }
    return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
}

/* GET /api/options: the transfer fields a job takes, from the option table. */
static enum MHD_Result get_options(struct MHD_Connection *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return MHD_NO;
    int no = 0, k = 0;
    const cli_opt *t = cli_options("transfer", &no);
    fprintf(f, "{\"fields\": [");
    for (int i = 0; i < no; i++) {
        if (!job_option(t[i].name)) continue;
        char field[64];
        snprintf(field, sizeof field, "%s", t[i].name);
        for (char *p = field; *p; p++)
            if (*p == '-') *p = '_';
        static const char *const TY[] = {"flag", "int", "int", "number", "string", "file", "file", "choice", "pair", "refused"};
        fprintf(f, "%s{\"name\": \"%s\", \"option\": \"--%s\", \"type\": \"%s\"", k++ ? ", " : "", field, t[i].name,
                TY[t[i].type]);
        if (t[i].type == CLI_CHOICE) {
            fprintf(f, ", \"choices\": ");
            cli_json_str(f, t[i].choices);
        } else {
            fprintf(f, ", \"min\": %.10g, \"max\": %.10g", t[i].min, t[i].max);
        }
        fprintf(f, ", \"default\": ");
        if (t[i].def) cli_json_str(f, t[i].def);
        else fprintf(f, "null");
        fprintf(f, ", \"default_text\": ");
        if (t[i].def_text) cli_json_str(f, t[i].def_text);
        else fprintf(f, "null");
        fprintf(f, ", \"group\": ");
        if (t[i].group) cli_json_str(f, t[i].group);
        else fprintf(f, "null");
        fprintf(f, ", \"help\": ");
        cli_json_str(f, t[i].help);
        fprintf(f, "}");
    }
    fprintf(f, "]}\n");
    fclose(f);
    return send_json(c, MHD_HTTP_OK, buf, len);
}

static int example_ok(const char *name)
{
    if (!name[0] || name[0] == '.' || strchr(name, '/') || strlen(name) > 200) return 0;
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".flac") || !strcmp(dot, ".wav") || !strcmp(dot, ".mp3") || !strcmp(dot, ".ogg"));
}

static enum MHD_Result get_examples(struct MHD_Connection *c, const char *name)
{
    if (name) {
        char path[PATH_MAX + 256];
        if (!example_ok(name) || !S.examples[0]) return send_error(c, MHD_HTTP_NOT_FOUND, "no such example");
        snprintf(path, sizeof path, "%s/%s", S.examples, name);
        return send_file(c, path, audio_type(name), name);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return MHD_NO;
    fprintf(f, "{\"examples\": [");
    DIR *d = S.examples[0] ? opendir(S.examples) : NULL;
    if (d) {
        char *names[64];
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)) && n < 64)
            if (example_ok(e->d_name)) names[n++] = strdup(e->d_name);
        closedir(d);
        for (int i = 0; i < n; i++)
            for (int k = i + 1; k < n; k++)
                if (names[i] && names[k] && strcmp(names[i], names[k]) > 0) {
                    char *t = names[i];
                    names[i] = names[k];
                    names[k] = t;
                }
        for (int i = 0, k = 0; i < n; i++) {
            if (!names[i]) continue;
            fprintf(f, "%s{\"name\": ", k++ ? ", " : "");
            cli_json_str(f, names[i]);
            fprintf(f, ", \"url\": \"/api/examples/%s\"}", names[i]);
            free(names[i]);
        }
    }
    fprintf(f, "]}\n");
    fclose(f);
    return send_json(c, MHD_HTTP_OK, buf, len);
}

static enum MHD_Result route(struct MHD_Connection *c, const char *url, const char *method, req *r)
{
    int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST"),
        del = !strcmp(method, "DELETE");
    if (strstr(url, "..") || strchr(url, '\\')) return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
    if (!strncmp(url, "/api/", 5)) {
        const char *p = url + 5;
        if (!strcmp(p, "jobs")) {
            if (get) return list_jobs(c);
            if (!post) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or POST");
        } else if (!strncmp(p, "jobs/", 5)) {
            const char *id = p + 5, *slash = strchr(id, '/');
            size_t idl = slash ? (size_t)(slash - id) : strlen(id);
            if (!get && !del) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET or DELETE");
            if (del && slash) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use DELETE on the job");
            return one_job(c, id, idl, slash ? slash : "", del);
        } else if (!strcmp(p, "classify") || !strcmp(p, "features")) {
            if (!post) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST with a multipart 'file'");
        } else if (!strcmp(p, "options") && get) {
            return get_options(c);
        } else if (!strcmp(p, "examples") && get) {
            return get_examples(c, NULL);
        } else if (!strncmp(p, "examples/", 9) && get) {
            return get_examples(c, p + 9);
        } else {
            return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
        }
        /* the POSTs with a multipart body */
        if (r->too_large)
            return send_error(c, MHD_HTTP_CONTENT_TOO_LARGE, "the request is larger than --max-upload (%.0f MB)",
                              S.max_upload / 1e6);
        part ps[MAX_JOB_OPTS + 4];
        int np = 0;
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!r->body || parse_multipart(ct, r->body, r->len, ps, MAX_JOB_OPTS + 4, &np))
            return send_error(c, MHD_HTTP_BAD_REQUEST, "a multipart/form-data body is expected (malformed or missing)");
        if (!strcmp(p, "jobs")) return post_job(c, ps, np);
        const char *fmt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
        if (fmt && strcmp(fmt, "csv") && strcmp(fmt, "json"))
            return send_error(c, MHD_HTTP_BAD_REQUEST, "format: csv or json");
        return post_analysis(c, ps, np, p[0] == 'f', fmt && !strcmp(fmt, "csv"));
    }
    if (!get) return send_error(c, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
    const char *want = !strcmp(url, "/") ? "/index.html" : url;
    for (int i = 0; i < serve_n_assets; i++)
        if (!strcmp(want, serve_assets[i].path)) {
            struct MHD_Response *resp = MHD_create_response_from_buffer(
                serve_assets[i].len, (void *)serve_assets[i].data, MHD_RESPMEM_PERSISTENT);
            if (!resp) return MHD_NO;
            MHD_add_response_header(resp, "Content-Type", serve_assets[i].type);
            MHD_add_response_header(resp, "Cache-Control", "no-cache");
            MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
            enum MHD_Result rc = MHD_queue_response(c, MHD_HTTP_OK, resp);
            MHD_destroy_response(resp);
            return rc;
        }
    return send_error(c, MHD_HTTP_NOT_FOUND, "no such resource");
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)version;
    req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        *con_cls = r;
        pthread_mutex_lock(&S.mu);
        S.active++;
        pthread_mutex_unlock(&S.mu);
        r->post = !strcmp(method, "POST");
        if (r->post) {
            const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
            if (cl && strtod(cl, NULL) > (double)S.max_upload) r->too_large = 1;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->too_large) {
            if (r->len + *upload_size > S.max_upload) {
                r->too_large = 1;
                free(r->body);
                r->body = NULL;
                r->len = r->cap = 0;
            } else {
                if (r->len + *upload_size + 1 > r->cap) {
                    size_t cap = r->cap ? r->cap : 65536;
                    while (cap < r->len + *upload_size + 1) cap *= 2;
                    char *nb = realloc(r->body, cap);
                    if (!nb) return MHD_NO;
                    r->body = nb;
                    r->cap = cap;
                }
                memcpy(r->body + r->len, upload_data, *upload_size);
                r->len += *upload_size;
                r->body[r->len] = 0;
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    return route(c, url, method, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req *r = *con_cls;
    if (r) {
        free(r->body);
        free(r);
        pthread_mutex_lock(&S.mu);
        int idle = --S.active == 0;
        pthread_mutex_unlock(&S.mu);
        if (idle) malloc_trim(0); /* after a burst (100 uploads at once), RSS returns to its start */
    }
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char b[512];
    vsnprintf(b, sizeof b, fmt, ap);
    size_t n = strlen(b);
    while (n && b[n - 1] == '\n') b[--n] = 0;
    if (cli_verbose) fprintf(stderr, "audiostyle serve: %s\n", b);
}

static int default_data(char *out, size_t n)
{
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    if (x && x[0] == '/') snprintf(out, n, "%s/audiostyle", x);
    else if (h && h[0]) snprintf(out, n, "%s/.cache/audiostyle", h);
    else return -1;
    return 0;
}

static void find_examples(void)
{
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", S.exe);
    char *s = strrchr(d, '/');
    if (!s) return;
    *s = 0;
    const char *tries[] = {"/../examples", "/../share/audiostyle/examples", "/examples"};
    for (size_t i = 0; i < sizeof tries / sizeof tries[0]; i++) {
        char p[PATH_MAX + 64], rp[PATH_MAX];
        snprintf(p, sizeof p, "%s%s", d, tries[i]);
        if (realpath(p, rp)) {
            struct stat st;
            if (!stat(rp, &st) && S_ISDIR(st.st_mode) && strlen(rp) < sizeof S.examples) {
                memcpy(S.examples, rp, strlen(rp) + 1);
                return;
            }
        }
    }
}

int cmd_serve(int argc, char **argv)
{
    serve_args A;
    memset(&A, 0, sizeof A);
    cli_args pa;
    int prc = cli_parse(&cli_cmd_serve, argc, argv, &A, &pa);
    if (prc != CLI_CONTINUE) return prc;
    if (pa.npos) return cli_usage("serve", "unexpected argument '%s'", pa.pos[0]);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)A.port);
    const char *host = !strcmp(A.host, "localhost") ? "127.0.0.1" : A.host;
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return cli_usage("serve", "--host '%s' is not an IPv4 address (127.0.0.1, 0.0.0.0, ...)", A.host);
    if (A.data && strlen(A.data) >= sizeof S.data) return cli_usage("serve", "--data: the path is too long");
    if (A.data) snprintf(S.data, sizeof S.data, "%s", A.data);
    else if (default_data(S.data, sizeof S.data))
        return cli_usage("serve", "no $XDG_CACHE_HOME or $HOME: give --data DIR");
    S.max_upload = (size_t)(A.max_upload * 1e6);
    ssize_t el = readlink("/proc/self/exe", S.exe, sizeof S.exe - 1);
    if (el <= 0) {
        fprintf(stderr, "audiostyle: serve: cannot find the program itself (/proc/self/exe)\n");
        return 1;
    }
    S.exe[el] = 0;
    find_examples();
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/jobs", S.data);
    if (mkdir_p(sub)) {
        fprintf(stderr, "audiostyle: %s: cannot create the data folder: %s\n", S.data, strerror(errno));
        return 1;
    }
    snprintf(sub, sizeof sub, "%s/tmp", S.data);
    rm_rf(sub); /* uploads of requests a previous run did not finish */
    if (mkdir_p(sub)) {
        fprintf(stderr, "audiostyle: %s: cannot create the data folder: %s\n", sub, strerror(errno));
        return 1;
    }
    /* A server lives for days: request bodies (uploads) are mmapped and given back when freed
     * (a fixed threshold; glibc's adaptive one would keep them on the heap), and a burst of
     * connection threads does not leave an arena per thread behind. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    mallopt(M_ARENA_MAX, 2);
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    if (nc < 1) nc = 1;
    S.threads = (int)(nc / A.workers > 0 ? nc / A.workers : 1);
    S.max_children = (int)nc + MAX_CHILDREN_EXTRA;
    store_load_all();

    /* SIGINT/SIGTERM are waited for by the main thread; every other thread blocks them */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handler,
        NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)512, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)256,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "audiostyle: serve: cannot listen on %s:%d (in use, or not an address of this machine)\n",
                A.host, A.port);
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    int port = di ? di->port : A.port;
    pthread_t *w = calloc((size_t)A.workers, sizeof *w);
    int nw = 0;
    for (int i = 0; w && i < A.workers; i++)
        if (pthread_create(&w[nw], NULL, worker, NULL) == 0) nw++;
    pthread_mutex_lock(&S.mu); /* the daemon's connection threads already read it (GET /api/jobs) */
    S.workers = nw;
    pthread_mutex_unlock(&S.mu);
    if (!nw) {
        fprintf(stderr, "audiostyle: serve: cannot start the workers\n");
        MHD_stop_daemon(d);
        free(w);
        return 1;
    }
    if (!strcmp(host, "0.0.0.0"))
        fprintf(stderr, "audiostyle: warning: listening on every interface: anyone who can reach this machine "
                        "can use the server (no authentication, no TLS)\n");
    printf("audiostyle: serving http://%s:%d/ (data %s, %d worker%s)\n", !strcmp(host, "0.0.0.0") ? "127.0.0.1" : host,
           port, S.data, nw, nw > 1 ? "s" : "");
    fflush(stdout);

    int sig = 0;
    while (sigwait(&sigs, &sig) != 0) {
    }
    fprintf(stderr, "audiostyle: serve: %s, stopping\n", sig == SIGINT ? "interrupted" : "terminated");
    pthread_mutex_lock(&S.mu);
    S.stopping = 1;
    for (int i = 0; i < S.n; i++)
        if (S.jobs[i]->state == JOB_RUNNING && S.jobs[i]->pid > 0) kill(S.jobs[i]->pid, SIGINT);
    bump();
    pthread_cond_broadcast(&S.slots);
    pthread_mutex_unlock(&S.mu);
    for (int i = 0; i < nw; i++) pthread_join(w[i], NULL);
    free(w);
    MHD_stop_daemon(d);
    for (int i = 0; i < S.n; i++) {
        free(S.jobs[i]->result);
        free(S.jobs[i]);
    }
    free(S.jobs);
    return 0;
}
