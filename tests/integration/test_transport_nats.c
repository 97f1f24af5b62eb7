/*
 * Integration tests of node/transport_nats.c against a real nats-server
 * started per test: the shared conformance suite, plus what only a real
 * server has (connection failures, credentials, reconnect after a restart).
 */
#define _GNU_SOURCE /* mkdtemp, nftw flags */
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "node/transport.h"
#include "tests/harness/test.h"
#include "tests/integration/natsserver.h"
#include "tests/node/transport_conformance.h"

struct fx {
    natsserver *srv;
    node_transport *a;
    node_transport *b;
};

static bool fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    REQUIRE(natsserver_start(&f->srv));
    REQUIRE_OK(natsserver_connect(f->srv, &f->a, "itest-a", NULL, NULL));
    REQUIRE_OK(natsserver_connect(f->srv, &f->b, "itest-b", NULL, NULL));
    return true;
}

/* Frees everything; false if a handle leaked. */
static bool fx_close(struct fx *f)
{
    bool ok = true;
    if (f->a != NULL && !conf_stats_zero(f->a))
        ok = false;
    if (f->b != NULL && !conf_stats_zero(f->b))
        ok = false;
    node_transport_free(f->a);
    node_transport_free(f->b);
    natsserver_stop(f->srv);
    return ok;
}

/* Runs one conformance body between two connections of a fresh server. */
#define CONFORMANCE(name, call)                                                \
    TEST(itest_transport_##name)                                               \
    {                                                                          \
        struct fx f;                                                           \
        bool ok = fx_open(&f);                                                 \
        if (ok)                                                                \
            ok = call;                                                         \
        ok = fx_close(&f) && ok;                                               \
        CHECK(ok);                                                             \
    }

CONFORMANCE(pubsub, conf_pubsub(f.a, f.b))
CONFORMANCE(subscribe_deferred, conf_deferred(f.a, f.b))
CONFORMANCE(request_reply, conf_request(f.a, f.b))
CONFORMANCE(unsubscribe, conf_unsub(f.a, f.b))
CONFORMANCE(js_publish_dedup, conf_js_dedup(f.a))
CONFORMANCE(pull_consumer, conf_pull(f.a, f.b))
CONFORMANCE(pull_shared_durable, conf_pull_shared(f.a, f.b))
CONFORMANCE(stream_consumer_admin, conf_manage(f.a))
CONFORMANCE(kv, conf_kv(f.a, f.b))
CONFORMANCE(bad_args, conf_args(f.a))

/* ---- Connection set-up ---- */

TEST(itest_transport_connect_errors)
{
    node_nats_config c;
    node_transport *t = (node_transport *)&c; /* must be reset to NULL */

    /* Nothing listens on port 1 of loopback. */
    node_transport_nats_default(&c);
    c.url = "nats://127.0.0.1:1";
    c.dial_timeout_ms = 500;
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_UNAVAILABLE);
    CHECK(t == NULL);

    node_transport_nats_default(&c);
    c.user = "u";
    c.password = "p";
    c.creds_file = "/nonexistent.creds";
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_INVALID_ARG);
    node_transport_nats_default(&c);
    c.tls_cert_file = "/nonexistent.pem"; /* without its key */
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_INVALID_ARG);
    node_transport_nats_default(&c);
    c.nkey_seed_file = "/nonexistent.nk"; /* without the public key */
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_INVALID_ARG);
    node_transport_nats_default(&c);
    c.url = "";
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_INVALID_ARG);
    node_transport_nats_default(&c);
    c.ping_interval_ms = 0;
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_transport_nats_new(&t, NULL), MPC_ERR_INVALID_ARG);
    CHECK_ERR(node_transport_nats_new(NULL, &c), MPC_ERR_INVALID_ARG);

    /* Files that cannot be read are the files' fault. */
    node_transport_nats_default(&c);
    c.tls_ca_file = "/nonexistent-ca.pem";
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_IO);
    node_transport_nats_default(&c);
    c.creds_file = "/nonexistent.creds";
    CHECK_ERR(node_transport_nats_new(&t, &c), MPC_ERR_IO);
    CHECK(t == NULL);
}

static bool auth_body(natsserver *srv)
{
    node_nats_config c;
    node_transport_nats_default(&c);
    c.url = natsserver_url(srv);
    c.dial_timeout_ms = 1000;
    c.user = "mpc";
    c.password = "wrong";
    node_transport *t = NULL;
    REQUIRE(node_transport_nats_new(&t, &c) == MPC_ERR_AUTH);
    REQUIRE(t == NULL);
    c.password = "s3cret";
    REQUIRE_OK(node_transport_nats_new(&t, &c));
    node_transport_stats st;
    node_transport_stats_get(t, &st);
    REQUIRE(st.connected);
    node_transport_free(t);
    return true;
}

TEST(itest_transport_auth)
{
    const char *args[] = {"--user", "mpc", "--pass", "s3cret", NULL};
    natsserver *srv = NULL;
    CHECK(natsserver_start_args(&srv, args));
    bool ok = auth_body(srv);
    natsserver_stop(srv);
    CHECK(ok);
}

/* ---- Reconnect after a server restart ---- */

struct events {
    atomic_int disconnected;
    atomic_int reconnected;
    atomic_int closed;
};

static void on_event(void *ud, node_transport_event ev, const char *detail)
{
    struct events *e = ud;
    (void)detail;
    if (ev == NODE_TRANSPORT_DISCONNECTED)
        atomic_fetch_add(&e->disconnected, 1);
    else if (ev == NODE_TRANSPORT_RECONNECTED)
        atomic_fetch_add(&e->reconnected, 1);
    else if (ev == NODE_TRANSPORT_CLOSED)
        atomic_fetch_add(&e->closed, 1);
}

static bool wait_flag(atomic_int *v, int want, int ms)
{
    int64_t end = conf_now_ms() + ms;
    while (atomic_load(v) < want && conf_now_ms() < end)
        conf_sleep_ms(10);
    return atomic_load(v) >= want;
}

static bool reconnect_body(natsserver *srv, node_transport *a,
                           node_transport *b, struct events *ev)
{
    struct conf_inbox in;
    conf_inbox_init(&in);
    node_sub *s = NULL;
    REQUIRE_OK(node_transport_subscribe(b, &s, "cf.rc.*", conf_inbox_cb, &in));
    const char *subj[] = {"cfr.*"};
    node_js_stream_config sc = {.name = "CFR",
                                .subjects = subj,
                                .nsubjects = 1,
                                .retention = NODE_JS_WORKQUEUE,
                                .storage = NODE_JS_FILE};
    node_js_consumer_config cc = {.stream = "CFR",
                                  .durable = "cfr_c",
                                  .ack_wait_ms = 30000,
                                  .max_deliver = 4,
                                  .max_ack_pending = 10};
    REQUIRE_OK(node_transport_stream_add(a, &sc));
    REQUIRE_OK(node_transport_consumer_add(a, &cc));
    node_pull *p = NULL;
    REQUIRE_OK(node_transport_pull_bind(b, &p, "CFR", "cfr_c"));
    REQUIRE_OK(node_transport_js_publish(a, "cfr.before", NULL, 0,
                                         CONF_STR("1"), "before", 2000, NULL));

    REQUIRE(natsserver_kill(srv));
    REQUIRE(wait_flag(&ev->disconnected, 2, 5000)); /* both connections */
    node_transport_stats st;
    node_transport_stats_get(b, &st);
    REQUIRE(!st.connected && st.disconnects >= 1);
    uint8_t out[8];
    size_t n = 0;
    /* While down, calls that need the server fail at once... */
    int64_t t0 = conf_now_ms();
    REQUIRE(node_transport_request(a, "cf.down.none", NULL, 0, NULL, 0, 2000,
                                   out, sizeof out, &n) == MPC_ERR_UNAVAILABLE);
    REQUIRE(node_transport_js_publish(a, "cfr.x", NULL, 0, NULL, 0, "x", 2000,
                                      NULL) == MPC_ERR_UNAVAILABLE);
    node_js_stream_info down_si;
    REQUIRE(node_transport_stream_info(a, "CFR", &down_si) ==
            MPC_ERR_UNAVAILABLE);
    REQUIRE(conf_now_ms() - t0 < 500);
    /* ...while plain publishes are buffered and sent after the reconnect
     * (after the library re-subscribes this connection's interest). */
    REQUIRE_OK(node_transport_publish(b, "cf.rc.held", NULL, NULL, 0,
                                      CONF_STR("held")));

    REQUIRE(natsserver_restart(srv));
    REQUIRE(wait_flag(&ev->reconnected, 2, 10000)); /* both connections */
    node_transport_stats_get(b, &st);
    REQUIRE(st.connected && st.reconnects >= 1);

    REQUIRE(conf_inbox_wait(&in, 1, 5000));
    REQUIRE(strcmp(in.rx[0].subject, "cf.rc.held") == 0);
    /* Core subscriptions were re-established by the library. */
    int64_t end = conf_now_ms() + 5000;
    while (conf_inbox_count(&in) == 1 && conf_now_ms() < end) {
        REQUIRE_OK(node_transport_publish(a, "cf.rc.x", NULL, NULL, 0,
                                          CONF_STR("after")));
        conf_sleep_ms(50);
    }
    REQUIRE(conf_inbox_count(&in) > 1);
    REQUIRE(strcmp(in.rx[1].subject, "cf.rc.x") == 0);

    /* File-backed streams and durables survive; the binding still works. */
    node_js_stream_info si;
    REQUIRE_OK(node_transport_stream_info(a, "CFR", &si));
    REQUIRE(si.msgs == 1);
    node_jsmsg *m = NULL;
    REQUIRE(conf_fetch1(b, p, &m, 3000));
    REQUIRE(strcmp(m->msg.subject, "cfr.before") == 0);
    REQUIRE_OK(node_transport_ack(b, m));
    node_transport_jsmsg_free(b, &m);

    node_transport_pull_unbind(b, &p);
    REQUIRE_OK(node_transport_unsubscribe(b, &s));
    conf_inbox_clear(&in);
    return true;
}

TEST(itest_transport_reconnect_after_restart)
{
    natsserver *srv = NULL;
    CHECK(natsserver_start(&srv));
    struct events ev;
    memset(&ev, 0, sizeof ev);
    node_transport *a = NULL, *b = NULL;
    bool ok = natsserver_connect(srv, &a, "rc-a", on_event, &ev) == MPC_OK &&
              natsserver_connect(srv, &b, "rc-b", on_event, &ev) == MPC_OK;
    if (ok)
        ok = reconnect_body(srv, a, b, &ev);
    if (a != NULL && !conf_stats_zero(a))
        ok = false;
    if (b != NULL && !conf_stats_zero(b))
        ok = false;
    node_transport_free(a);
    node_transport_free(b);
    natsserver_stop(srv);
    CHECK(ok);
    /* Freeing a transport closes it, and says so. */
    CHECK(atomic_load(&ev.closed) == 2);
}

/* ---- TLS ---- */

/*
 * A self-signed P-256 certificate for 127.0.0.1/localhost, usable as the
 * server's certificate, as the CA that verifies it, and as a client
 * certificate (no extended key usage), written as PEM to <dir>/cert.pem and
 * <dir>/key.pem.
 */
static bool write_cert(const char *dir)
{
    char path[300];
    EVP_PKEY *pk = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    bool ok = pk != NULL && x != NULL && X509_set_version(x, 2) == 1 &&
              ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
              X509_gmtime_adj(X509_getm_notBefore(x), -60) != NULL &&
              X509_gmtime_adj(X509_getm_notAfter(x), 3600) != NULL &&
              X509_set_pubkey(x, pk) == 1;
    X509_NAME *name = ok ? X509_get_subject_name(x) : NULL;
    ok = ok &&
         X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"localhost", -1, -1,
                                    0) == 1 &&
         X509_set_issuer_name(x, name) == 1;
    const struct {
        int nid;
        const char *value;
    } exts[] = {{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
                {NID_basic_constraints, "critical,CA:TRUE"}};
    for (size_t i = 0; ok && i < sizeof exts / sizeof *exts; i++) {
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        X509_EXTENSION *e =
            X509V3_EXT_conf_nid(NULL, &ctx, exts[i].nid, exts[i].value);
        ok = e != NULL && X509_add_ext(x, e, -1) == 1;
        X509_EXTENSION_free(e);
    }
    ok = ok && X509_sign(x, pk, EVP_sha256()) > 0;
    snprintf(path, sizeof path, "%s/cert.pem", dir);
    FILE *f = ok ? fopen(path, "w") : NULL;
    ok = f != NULL && PEM_write_X509(f, x) == 1;
    if (f != NULL)
        fclose(f);
    snprintf(path, sizeof path, "%s/key.pem", dir);
    f = ok ? fopen(path, "w") : NULL;
    ok = f != NULL &&
         PEM_write_PrivateKey(f, pk, NULL, NULL, 0, NULL, NULL) == 1;
    if (f != NULL)
        fclose(f);
    X509_free(x);
    EVP_PKEY_free(pk);
    return ok;
}

static mpc_err tls_connect(const natsserver *srv, const char *ca,
                           const char *cert, const char *key,
                           const char *hostname)
{
    node_nats_config c;
    node_transport_nats_default(&c);
    c.url = natsserver_url(srv);
    c.dial_timeout_ms = 1000;
    c.js_timeout_ms = 2000;
    c.tls_ca_file = ca;
    c.tls_cert_file = cert;
    c.tls_key_file = key;
    c.tls_hostname = hostname;
    node_transport *t = NULL;
    mpc_err e = node_transport_nats_new(&t, &c);
    if (e == MPC_OK) {
        /* Prove the link works, not only the handshake. */
        uint8_t out[8];
        size_t n;
        e = node_transport_request(t, "cf.tls.nobody", NULL, 0, NULL, 0, 1000,
                                   out, sizeof out, &n);
        e = e == MPC_ERR_UNAVAILABLE ? MPC_OK : MPC_ERR_INTERNAL;
    }
    node_transport_free(t);
    return e;
}

static bool tls_body(const char *dir)
{
    char cert[300], key[300];
    snprintf(cert, sizeof cert, "%s/cert.pem", dir);
    snprintf(key, sizeof key, "%s/key.pem", dir);
    REQUIRE(write_cert(dir));

    /* Server TLS: verified against our CA, by IP or by name. */
    const char *args[] = {"--tls", "--tlscert", cert, "--tlskey", key, NULL};
    natsserver *srv = NULL;
    REQUIRE(natsserver_start_args(&srv, args));
    bool ok = tls_connect(srv, cert, NULL, NULL, NULL) == MPC_OK &&
              tls_connect(srv, cert, NULL, NULL, "localhost") == MPC_OK &&
              /* The certificate does not name this host. */
              tls_connect(srv, cert, NULL, NULL, "other.example") ==
                  MPC_ERR_UNAVAILABLE &&
              /* Plain text to a TLS server. */
              tls_connect(srv, NULL, NULL, NULL, NULL) == MPC_ERR_UNAVAILABLE;
    natsserver_stop(srv);
    REQUIRE(ok);

    /* Mutual TLS: the client certificate is required. */
    const char *margs[] = {"--tlsverify", "--tlscert",   cert, "--tlskey",
                           key,           "--tlscacert", cert, NULL};
    REQUIRE(natsserver_start_args(&srv, margs));
    ok = tls_connect(srv, cert, cert, key, NULL) == MPC_OK &&
         tls_connect(srv, cert, NULL, NULL, NULL) == MPC_ERR_UNAVAILABLE;
    natsserver_stop(srv);
    REQUIRE(ok);
    return true;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

TEST(itest_transport_tls)
{
    char dir[] = "/tmp/mpc-itest-tls-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    bool ok = tls_body(dir);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    CHECK(ok);
}
