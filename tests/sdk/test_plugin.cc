// The host model suites' plugin (test_plugin.h). Root id "http" serves HttpContexts, "tcp" StreamContexts, and
// any other root id a root without streams.
#include "test_plugin.h"

namespace test_plugin {
namespace {

Hooks g_hooks;
int g_live = 0;
int g_vms = 0;

void note(const char* what, uint32_t id) { g_hooks.trace.push_back(std::string(what) + " " + std::to_string(id)); }

class Root : public proxy_wasm::RootContext {
 public:
  Root(uint32_t id, std::string_view root_id) : RootContext(id, root_id) { ++g_live; }
  ~Root() override { --g_live; }
  bool onStart(size_t) override {
    note("start", id());
    return g_hooks.on_start ? g_hooks.on_start(*this) : true;
  }
  bool onConfigure(size_t) override {
    note("configure", id());
    return g_hooks.on_configure ? g_hooks.on_configure(*this) : true;
  }
  void onTick() override {
    note("tick", id());
    if (g_hooks.on_tick) g_hooks.on_tick(*this);
  }
  void onQueueReady(uint32_t queue) override {
    note("queue_ready", id());
    if (g_hooks.on_queue_ready) g_hooks.on_queue_ready(*this, queue);
  }
  void onForeignFunction(uint32_t fn, size_t size) override {
    note("foreign_function", id());
    if (g_hooks.on_foreign_function) g_hooks.on_foreign_function(*this, fn, size);
  }
  bool onDone() override {
    note("done", id());
    return g_hooks.on_root_done ? g_hooks.on_root_done(*this) : true;
  }
  void onLog() override { note("log", id()); }
  void onDelete() override {
    note("delete", id());
    if (g_hooks.on_delete) g_hooks.on_delete(*this);
  }
};

class Http : public proxy_wasm::HttpContext {
 public:
  Http(uint32_t id, proxy_wasm::RootContext& root) : HttpContext(id, root) { ++g_live; }
  ~Http() override { --g_live; }
  proxy_wasm::Action onRequestHeaders(uint32_t n, bool eos) override {
    note("request_headers", id());
    return g_hooks.on_request_headers ? g_hooks.on_request_headers(*this, n, eos) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onRequestBody(size_t n, bool eos) override {
    note("request_body", id());
    return g_hooks.on_request_body ? g_hooks.on_request_body(*this, n, eos) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onRequestTrailers(uint32_t n) override {
    note("request_trailers", id());
    return g_hooks.on_request_trailers ? g_hooks.on_request_trailers(*this, n) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onResponseHeaders(uint32_t n, bool eos) override {
    note("response_headers", id());
    return g_hooks.on_response_headers ? g_hooks.on_response_headers(*this, n, eos) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onResponseBody(size_t n, bool eos) override {
    note("response_body", id());
    return g_hooks.on_response_body ? g_hooks.on_response_body(*this, n, eos) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onResponseTrailers(uint32_t n) override {
    note("response_trailers", id());
    return g_hooks.on_response_trailers ? g_hooks.on_response_trailers(*this, n) : proxy_wasm::Action::Continue;
  }
  bool onDone() override {
    note("done", id());
    return true;
  }
  void onLog() override {
    note("log", id());
    if (g_hooks.on_log) g_hooks.on_log(*this);
  }
  void onDelete() override {
    note("delete", id());
    if (g_hooks.on_delete) g_hooks.on_delete(*this);
  }
};

class Tcp : public proxy_wasm::StreamContext {
 public:
  Tcp(uint32_t id, proxy_wasm::RootContext& root) : StreamContext(id, root) { ++g_live; }
  ~Tcp() override { --g_live; }
  proxy_wasm::Action onNewConnection() override {
    note("new_connection", id());
    return g_hooks.on_new_connection ? g_hooks.on_new_connection(*this) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onDownstreamData(size_t n, bool eos) override {
    note("downstream_data", id());
    return g_hooks.on_downstream_data ? g_hooks.on_downstream_data(*this, n, eos) : proxy_wasm::Action::Continue;
  }
  proxy_wasm::Action onUpstreamData(size_t n, bool eos) override {
    note("upstream_data", id());
    return g_hooks.on_upstream_data ? g_hooks.on_upstream_data(*this, n, eos) : proxy_wasm::Action::Continue;
  }
  void onDownstreamConnectionClose(proxy_wasm::PeerType p) override {
    note("downstream_close", id());
    if (g_hooks.on_downstream_close) g_hooks.on_downstream_close(*this, p);
  }
  void onUpstreamConnectionClose(proxy_wasm::PeerType p) override {
    note("upstream_close", id());
    if (g_hooks.on_upstream_close) g_hooks.on_upstream_close(*this, p);
  }
  bool onDone() override {
    note("done", id());
    return true;
  }
  void onLog() override { note("log", id()); }
  void onDelete() override { note("delete", id()); }
};

class Vm : public proxy_wasm::VmContext {
 public:
  Vm() { ++g_vms; }
  bool onVmStart(size_t size) override {
    return g_hooks.on_vm_start ? g_hooks.on_vm_start(*this, size) : true;
  }
};

proxy_wasm::RegisterVmContext<Vm> vm_registration;
proxy_wasm::RegisterContextFactory<Root, Http> http_registration{"http"};
proxy_wasm::RegisterContextFactory<Root, Tcp> tcp_registration{"tcp"};
proxy_wasm::RegisterContextFactory<Root> root_only_registration{"root_only"};

}  // namespace

Hooks& hooks() { return g_hooks; }
void reset() { g_hooks = Hooks(); }
int liveContexts() { return g_live; }
int vmContextsMade() { return g_vms; }

}  // namespace test_plugin
