// The SDK suites' plugin (tests/sdk/sdk_case.h): its contexts run the handlers of the case
// the host side names, built with the suites' PLUGIN_CASEs natively (linked into each
// suite's test executable) and as sdk_cases.wasm (tests/wasm_plugins). Root id "http"
// serves HttpContexts, "tcp" StreamContexts, "root_only" a root without streams.
//
// Everything the plugin tells the test goes through one raw import call, the host's
// foreign function "sdk_case" (its result discarded: no allocation), so that the SDK's
// own state (effective context, log level cache) is untouched by the reporting.
#ifndef SDK_CASE_PLUGIN
#error "the plugin side is compiled with SDK_CASE_PLUGIN defined (tests/CMakeLists.txt)"
#endif
#include "sdk_case.h"

#include <cstdlib>
#include <map>
#include <string>

namespace sdk_case {
namespace {

std::map<std::string, CaseBody>& registry() {
  static std::map<std::string, CaseBody> cases;
  return cases;
}

Handlers g_on;
std::string g_case;       // the active case
std::string g_host;       // the serial of the host it was selected for
bool g_duplicate = false; // two PLUGIN_CASEs with one name

proxy_wasm::Status tell(std::string_view message) {
  static constexpr std::string_view kName = "sdk_case";
  return proxy_wasm::Status(static_cast<proxy_wasm::Status::Code>(proxy_call_foreign_function(
      kName.data(), kName.size(), message.data(), message.size(), nullptr, nullptr)));
}

// Asks the host side which case runs (once per host: the answer names the host).
void select() {
  static constexpr std::string_view kName = "sdk_case", kAsk = "case";
  char* data = nullptr;
  size_t size = 0;
  if (proxy_call_foreign_function(kName.data(), kName.size(), kAsk.data(), kAsk.size(), &data, &size) != 0) return;
  std::string answer(data ? data : "", size);
  std::free(data);
  const size_t nl = answer.find('\n');
  std::string name = answer.substr(0, nl), host = nl == std::string::npos ? "" : answer.substr(nl + 1);
  if (name == g_case && host == g_host) return;
  g_case = name;
  g_host = host;
  g_on = Handlers();
  if (g_duplicate) PLUGIN_FAIL("two PLUGIN_CASEs share a name");
  auto it = registry().find(name);
  if (it != registry().end()) it->second(g_on);
}

// A callback reached a context: the trace, and the run of the case's handler if it has one.
void note(const char* callback, uint32_t id, const char* handler) {
  (void)tell(std::string("note\n") + callback + "\n" + std::to_string(id) + "\n" + (handler ? handler : ""));
}

template <class F>
const char* runs(const F& f, const char* name) {
  return f ? name : nullptr;
}

}  // namespace

Handlers& on() { return g_on; }
void count(std::string_view key) { (void)tell("count\n" + std::string(key)); }
void report(std::string_view key, std::string_view value) {
  (void)tell("value\n" + std::string(key) + "\n" + std::string(value));
}
bool callHost(std::string_view name, std::string_view args) {
  return tell("call\n" + std::string(name) + "\n" + std::string(args)) == proxy_wasm::Status::Ok;
}
bool check(bool ok, const char* file, int line, const char* expression) {
  if (ok) return true;
  if (!tell(std::string("fail\n") + file + "\n" + std::to_string(line) + "\n" + expression))
    proxy_wasm::logCritical("sdk_case: PLUGIN_CHECK failed at ", file, ":", line, ": ", expression);
  return false;
}
Registration::Registration(const char* name, CaseBody body) {
  if (!registry().emplace(name, body).second) g_duplicate = true;
}

namespace {

using proxy_wasm::Action;

class Root : public proxy_wasm::RootContext {
 public:
  Root(uint32_t id, std::string_view root_id) : RootContext(id, root_id), host_(select_and_host()) { made(); }
  ~Root() override { (void)tell("freed\n" + host_ + "\n" + std::to_string(id())); }
  bool onStart(size_t) override {
    note("start", id(), runs(g_on.start, "start"));
    return g_on.start ? g_on.start(*this) : true;
  }
  bool onConfigure(size_t) override {
    note("configure", id(), runs(g_on.configure, "configure"));
    return g_on.configure ? g_on.configure(*this) : true;
  }
  void onTick() override {
    note("tick", id(), runs(g_on.tick, "tick"));
    if (g_on.tick) g_on.tick(*this);
  }
  void onQueueReady(uint32_t queue) override {
    note("queue_ready", id(), runs(g_on.queue_ready, "queue_ready"));
    if (g_on.queue_ready) g_on.queue_ready(*this, queue);
  }
  void onForeignFunction(uint32_t fn, size_t size) override {
    note("foreign_function", id(), runs(g_on.foreign_function, "foreign_function"));
    if (g_on.foreign_function) g_on.foreign_function(*this, fn, size);
  }
  bool onDone() override {
    note("done", id(), runs(g_on.root_done, "root_done"));
    return g_on.root_done ? g_on.root_done(*this) : true;
  }
  void onLog() override { note("log", id(), nullptr); }
  void onDelete() override {
    note("delete", id(), runs(g_on.deleted, "deleted"));
    if (g_on.deleted) g_on.deleted(*this);
  }

 private:
  static std::string select_and_host() {
    select();
    return g_host;
  }
  void made() { (void)tell("made\n" + host_ + "\n" + std::to_string(id())); }
  std::string host_;
};

// Streams belong to the host their root was made for.
class Http : public proxy_wasm::HttpContext {
 public:
  Http(uint32_t id, proxy_wasm::RootContext& root) : HttpContext(id, root), host_(g_host) {
    (void)tell("made\n" + host_ + "\n" + std::to_string(id));
  }
  ~Http() override { (void)tell("freed\n" + host_ + "\n" + std::to_string(id())); }
  Action onRequestHeaders(uint32_t n, bool eos) override {
    note("request_headers", id(), runs(g_on.request_headers, "request_headers"));
    return g_on.request_headers ? g_on.request_headers(*this, n, eos) : Action::Continue;
  }
  Action onRequestBody(size_t n, bool eos) override {
    note("request_body", id(), runs(g_on.request_body, "request_body"));
    return g_on.request_body ? g_on.request_body(*this, n, eos) : Action::Continue;
  }
  Action onRequestTrailers(uint32_t n) override {
    note("request_trailers", id(), runs(g_on.request_trailers, "request_trailers"));
    return g_on.request_trailers ? g_on.request_trailers(*this, n) : Action::Continue;
  }
  Action onResponseHeaders(uint32_t n, bool eos) override {
    note("response_headers", id(), runs(g_on.response_headers, "response_headers"));
    return g_on.response_headers ? g_on.response_headers(*this, n, eos) : Action::Continue;
  }
  Action onResponseBody(size_t n, bool eos) override {
    note("response_body", id(), runs(g_on.response_body, "response_body"));
    return g_on.response_body ? g_on.response_body(*this, n, eos) : Action::Continue;
  }
  Action onResponseTrailers(uint32_t n) override {
    note("response_trailers", id(), runs(g_on.response_trailers, "response_trailers"));
    return g_on.response_trailers ? g_on.response_trailers(*this, n) : Action::Continue;
  }
  bool onDone() override {
    note("done", id(), nullptr);
    return true;
  }
  void onLog() override {
    note("log", id(), runs(g_on.log, "log"));
    if (g_on.log) g_on.log(*this);
  }
  void onDelete() override {
    note("delete", id(), runs(g_on.deleted, "deleted"));
    if (g_on.deleted) g_on.deleted(*this);
  }

 private:
  std::string host_;
};

class Tcp : public proxy_wasm::StreamContext {
 public:
  Tcp(uint32_t id, proxy_wasm::RootContext& root) : StreamContext(id, root), host_(g_host) {
    (void)tell("made\n" + host_ + "\n" + std::to_string(id));
  }
  ~Tcp() override { (void)tell("freed\n" + host_ + "\n" + std::to_string(id())); }
  Action onNewConnection() override {
    note("new_connection", id(), runs(g_on.new_connection, "new_connection"));
    return g_on.new_connection ? g_on.new_connection(*this) : Action::Continue;
  }
  Action onDownstreamData(size_t n, bool eos) override {
    note("downstream_data", id(), runs(g_on.downstream_data, "downstream_data"));
    return g_on.downstream_data ? g_on.downstream_data(*this, n, eos) : Action::Continue;
  }
  Action onUpstreamData(size_t n, bool eos) override {
    note("upstream_data", id(), runs(g_on.upstream_data, "upstream_data"));
    return g_on.upstream_data ? g_on.upstream_data(*this, n, eos) : Action::Continue;
  }
  void onDownstreamConnectionClose(proxy_wasm::PeerType p) override {
    note("downstream_close", id(), runs(g_on.downstream_close, "downstream_close"));
    if (g_on.downstream_close) g_on.downstream_close(*this, p);
  }
  void onUpstreamConnectionClose(proxy_wasm::PeerType p) override {
    note("upstream_close", id(), runs(g_on.upstream_close, "upstream_close"));
    if (g_on.upstream_close) g_on.upstream_close(*this, p);
  }
  bool onDone() override {
    note("done", id(), nullptr);
    return true;
  }
  void onLog() override { note("log", id(), nullptr); }
  void onDelete() override {
    note("delete", id(), runs(g_on.deleted, "deleted"));
    if (g_on.deleted) g_on.deleted(*this);
  }

 private:
  std::string host_;
};

class Vm : public proxy_wasm::VmContext {
 public:
  Vm() {
    select();
    (void)tell("vm\n" + g_host);
  }
  bool onVmStart(size_t size) override {
    note("", 0, runs(g_on.vm_start, "vm_start"));  // counted, not traced (the host has no context 0)
    return g_on.vm_start ? g_on.vm_start(*this, size) : true;
  }
};

proxy_wasm::RegisterVmContext<Vm> vm_registration;
proxy_wasm::RegisterContextFactory<Root, Http> http_registration{"http"};
proxy_wasm::RegisterContextFactory<Root, Tcp> tcp_registration{"tcp"};
proxy_wasm::RegisterContextFactory<Root> root_only_registration{"root_only"};

}  // namespace
}  // namespace sdk_case
