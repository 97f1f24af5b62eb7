/*
 * node/http.c — /health and /metrics (see http.h).
 */
#include "node/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX 8192
#define IO_TIMEOUT_S 5

struct node_http {
    struct MHD_Daemon *d;
    node_http_view_fn view;
    void *ud;
};

static const char *tf(bool b)
{
    return b ? "true" : "false";
}

unsigned node_http_health(char *body, size_t cap, const node_metrics_view *v)
{
    bool nats = v->transport.connected;
    bool all = v->peers_total > 0 && v->peers_ready >= v->peers_total;
    bool majority = v->peers_ready >= v->threshold && v->threshold > 0;
    bool ready = nats && majority && !v->starting;
    snprintf(body, cap,
             "{\"status\":\"%s\",\"live\":true,\"ready\":%s,\"details\":{"
             "\"nats_connected\":%s,\"consul_connected\":%s,"
             "\"peers_ready_count\":\"%zu/%zu\",\"all_peers_ready\":%s,"
             "\"majority_ready\":%s}}",
             ready ? "ready" : "not_ready", tf(ready), tf(nats), tf(nats),
             v->peers_ready, v->peers_total, tf(all), tf(majority));
    return ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
                             const char *type, const char *body)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result res = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return res;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
    (void)version;
    (void)upload;
    (void)method;
    node_http *h = cls;
    if (*con_cls == NULL) {
        *con_cls = h; /* headers seen; answer on the next call */
        return MHD_YES;
    }
    if (*upload_size != 0) {
        *upload_size = 0; /* bodies are ignored */
        return MHD_YES;
    }
    node_metrics_view v;
    memset(&v, 0, sizeof v);
    char *body = malloc(BODY_MAX);
    if (body == NULL)
        return MHD_NO;
    enum MHD_Result res;
    if (strcmp(url, "/health") == 0) {
        h->view(h->ud, &v);
        unsigned st = node_http_health(body, BODY_MAX, &v);
        res = reply(c, st, "application/json", body);
    } else if (strcmp(url, "/metrics") == 0) {
        h->view(h->ud, &v);
        node_metrics_render(body, BODY_MAX, &v);
        res = reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4", body);
    } else {
        res = reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found\n");
    }
    free(body);
    return res;
}

static bool parse_address(struct sockaddr_in *sa, const char *address)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    const char *colon = strrchr(address, ':');
    if (colon == NULL)
        return false;
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end != '\0' || port < 1 || port > 65535)
        return false;
    sa->sin_port = htons((uint16_t)port);
    size_t hl = (size_t)(colon - address);
    if (hl == 0) {
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
        return true;
    }
    char host[64];
    if (hl >= sizeof host)
        return false;
    memcpy(host, address, hl);
    host[hl] = '\0';
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1;
}

mpc_err node_http_start(node_http **out, const char *address,
                        node_http_view_fn view, void *ud)
{
    if (out == NULL)
        return MPC_ERR_INVALID_ARG;
    *out = NULL;
    struct sockaddr_in sa;
    if (address == NULL || view == NULL || !parse_address(&sa, address))
        return MPC_ERR_INVALID_ARG;
    node_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return MPC_ERR_NOMEM;
    h->view = view;
    h->ud = ud;
    h->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        handler, h, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IO_TIMEOUT_S, MHD_OPTION_END);
    if (h->d == NULL) {
        free(h);
        return MPC_ERR_IO;
    }
    *out = h;
    return MPC_OK;
}

void node_http_stop(node_http *h)
{
    if (h == NULL)
        return;
    MHD_stop_daemon(h->d);
    free(h);
}
