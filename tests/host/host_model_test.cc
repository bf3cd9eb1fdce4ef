// The host model driven natively through the test plugin: test code runs inside real
// callbacks and calls the raw ABI (include/proxy_wasm/abi.h, implemented natively by
// host/src/native_guest.cc over the host model) to check what a real host returns.
// Facts: shared/ABI.md (section numbers in the test names). host_abi_test.cc covers the
// adapter itself (exact wasm32 pointers, start-up, traps).
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../sdk/test_plugin.h"

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::GrpcStatus;
using proxy_wasm::LogLevel;
using proxy_wasm::PeerType;
using proxy_wasm::Status;
using Trace = std::vector<std::string>;

namespace {

uint32_t st(Status s) { return s.code(); }
const uint32_t kOk = 0, kNF = st(Status::NotFound), kBA = st(Status::BadArgument),
               kIMA = st(Status::InvalidMemoryAccess);
constexpr uint32_t kReqHeaders = 0, kReqTrailers = 1, kRespHeaders = 2, kRespTrailers = 3;

// Bytes the host allocated in the plugin (malloc) and handed over: freed here.
struct Owned {
  char* p = nullptr;
  size_t n = 0;
  Owned() = default;
  Owned(const Owned&) = delete;
  ~Owned() { std::free(p); }
  std::string str() const { return p ? std::string(p, n) : std::string(); }
};

uint32_t mapGet(uint32_t map, std::string_view key, std::string* out = nullptr) {
  Owned o;
  const uint32_t r = proxy_get_header_map_value(map, key.data(), key.size(), &o.p, &o.n);
  if (out) *out = o.str();
  return r;
}
uint32_t mapPairs(uint32_t map, std::string* out) {
  Owned o;
  const uint32_t r = proxy_get_header_map_pairs(map, &o.p, &o.n);
  *out = o.str();
  return r;
}
uint32_t mapAdd(uint32_t map, std::string_view k, std::string_view v) {
  return proxy_add_header_map_value(map, k.data(), k.size(), v.data(), v.size());
}
uint32_t mapReplace(uint32_t map, std::string_view k, std::string_view v) {
  return proxy_replace_header_map_value(map, k.data(), k.size(), v.data(), v.size());
}
uint32_t mapRemove(uint32_t map, std::string_view k) { return proxy_remove_header_map_value(map, k.data(), k.size()); }
uint32_t mapSet(uint32_t map, const HeaderList& h) {
  const std::string b = h.serialize();
  return proxy_set_header_map_pairs(map, b.data(), b.size());
}
uint32_t mapSize(uint32_t map, size_t* out = nullptr) {
  size_t n = 0;
  const uint32_t r = proxy_get_header_map_size(map, &n);
  if (out) *out = n;
  return r;
}
uint32_t bufGet(uint32_t type, size_t start, size_t max, std::string* out = nullptr) {
  Owned o;
  const uint32_t r = proxy_get_buffer_bytes(type, start, max, &o.p, &o.n);
  if (out) *out = o.str();
  return r;
}
uint32_t bufSet(uint32_t type, size_t start, size_t size, std::string_view data) {
  return proxy_set_buffer_bytes(type, start, size, data.data(), data.size());
}
uint32_t propGet(std::string_view path, std::string* out = nullptr) {
  Owned o;
  const uint32_t r = proxy_get_property(path.data(), path.size(), &o.p, &o.n);
  if (out) *out = o.str();
  return r;
}
uint32_t propSet(std::string_view path, std::string_view value) {
  return proxy_set_property(path.data(), path.size(), value.data(), value.size());
}
uint32_t effective(uint32_t id) { return proxy_set_effective_context(id); }
std::string path(std::initializer_list<std::string_view> parts, bool trailing_nul = false) {
  std::string p;
  for (auto s : parts) {
    if (!p.empty()) p.push_back('\0');
    p.append(s);
  }
  if (trailing_nul) p.push_back('\0');
  return p;
}
uint64_t le64(const std::string& b) {
  REQUIRE(b.size() == 8);
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | uint8_t(b[size_t(i)]);
  return v;
}
const HeaderList kGet{{":method", "GET"}, {":path", "/p"}, {":authority", "host"}};

struct Fixture {
  Fixture() { test_plugin::reset(); }
  ~Fixture() {
    host.reset();
    test_plugin::reset();
  }
  std::unique_ptr<Host> host = makeHost();
  void with(HostOptions options) {
    host.reset();
    host = makeHost(std::move(options));
  }
  test_plugin::Hooks& hooks() { return test_plugin::hooks(); }
  Trace& trace() { return test_plugin::hooks().trace; }
  static std::string n(uint32_t id) { return std::to_string(id); }
};

}  // namespace

// ---- Lifecycle and ids (§5.1-5.3) ------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "start-up: create(root, 0) -> vm_start -> configure; plugin_root_id readable at create") {
  std::string root_id;
  hooks().on_start = [&](proxy_wasm::RootContext&) {
    CHECK(propGet("plugin_root_id", &root_id) == kOk);
    return true;
  };
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  CHECK(http == 1);
  CHECK(tcp == 2);
  CHECK(root_id == "tcp");
  CHECK(trace() == Trace{"start 1", "configure 1", "start 2", "configure 2"});
  CHECK(test_plugin::liveContexts() == 2);
}

TEST_CASE_FIXTURE(Fixture, "streams: HTTP context created lazily at request headers, TCP at once, parent = root") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  auto& s = host->newHttpStream(http);
  CHECK(test_plugin::liveContexts() == 2);  // not yet
  uint32_t parent = 0;
  hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t n, bool eos) {
    parent = ctx.root().id();
    CHECK(n == 1);
    CHECK(eos);
    return Action::Continue;
  };
  s.sendRequestHeaders({{":path", "/"}}, true);
  CHECK(test_plugin::liveContexts() == 3);
  CHECK(parent == http);
  CHECK(s.id() == 3);
  uint32_t tcp_parent = 0;
  hooks().on_new_connection = [&](proxy_wasm::StreamContext& ctx) {
    tcp_parent = ctx.root().id();
    return Action::Continue;
  };
  auto& c = host->newConnection(tcp);
  CHECK(c.id() == 4);
  CHECK(tcp_parent == tcp);
  CHECK(trace().back() == "new_connection 4");
}

TEST_CASE_FIXTURE(Fixture, "finalization (Envoy): HTTP log, done, delete; TCP done, log, delete; roots no on_log") {
  const uint32_t http = host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  auto& s = host->newHttpStream(http);
  s.sendRequestHeaders({{":path", "/"}}, true);
  s.sendResponseHeaders({{":status", "200"}}, true);
  auto& c = host->newConnection(tcp);
  trace().clear();
  s.finish();
  c.finish();
  host->shutdown();
  CHECK(trace() == Trace{"log " + n(s.id()), "done " + n(s.id()), "delete " + n(s.id()), "done " + n(c.id()),
                         "log " + n(c.id()), "delete " + n(c.id()), "done " + n(http), "delete " + n(http),
                         "done " + n(tcp), "delete " + n(tcp)});
  CHECK(test_plugin::liveContexts() == 0);
}

TEST_CASE_FIXTURE(Fixture, "finalization (spec option): HTTP done, log, delete (§5.3)") {
  HostOptions o;
  o.http_finalization = Finalization::Spec;
  with(o);
  host->startPlugin({"http"});
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  trace().clear();
  s.finish();
  CHECK(trace() == Trace{"done " + n(s.id()), "log " + n(s.id()), "delete " + n(s.id())});
}

TEST_CASE_FIXTURE(Fixture, "a root's on_done false parks it; proxy_done -> on_delete right after that callback") {
  hooks().on_root_done = [](proxy_wasm::RootContext&) { return false; };
  const uint32_t root = host->startPlugin({"root_only"});
  hooks().on_tick = [&](proxy_wasm::RootContext&) { CHECK(proxy_done() == kNF); };
  host->tick();  // nothing pending yet
  host->shutdown();
  CHECK(host->contextAlive(root));
  trace().clear();
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(proxy_done() == kOk);
    CHECK(proxy_done() == kNF);
    CHECK(host->contextAlive(root));  // not during the callback
  };
  host->tick();
  CHECK(trace() == Trace{"tick " + n(root), "delete " + n(root)});
  CHECK_FALSE(host->contextAlive(root));
  CHECK(test_plugin::liveContexts() == 0);
}

// ---- Current vs effective context (§5.4) -----------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "set_effective_context from a root's tick acts on the stream; restored after the callback") {
  const uint32_t root = host->startPlugin({"http"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/p"}});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(mapGet(kReqHeaders, ":path") == kBA);  // a root has no request headers
    CHECK(effective(999) == kBA);
    CHECK(mapGet(kReqHeaders, ":path") == kBA);  // still the root
    CHECK(effective(s.id()) == kOk);
    std::string v;
    CHECK(mapGet(kReqHeaders, ":path", &v) == kOk);
    CHECK(v == "/p");
    CHECK(mapAdd(kReqHeaders, "x-from-tick", "1") == kOk);
    CHECK(proxy_log(2, "as the stream", 13) == kOk);
    CHECK(effective(root) == kOk);  // and back
    CHECK(mapGet(kReqHeaders, ":path") == kBA);
    CHECK(effective(s.id()) == kOk);
  };
  host->tick();
  CHECK(s.requestHeaders().get("x-from-tick") == std::optional<std::string_view>("1"));
  REQUIRE_FALSE(host->logs().empty());
  CHECK(host->logs().back().context_id == s.id());
  hooks().on_tick = [&](proxy_wasm::RootContext&) { CHECK(mapGet(kReqHeaders, ":path") == kBA); };  // restored
  host->tick();
}

// ---- Header maps by phase (§5.10) ----------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "request/response maps exist from their callback until that phase continues") {
  host->startPlugin({"http"});
  hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    CHECK(mapGet(kReqHeaders, ":path") == kOk);
    CHECK(mapGet(kRespHeaders, ":status") == kBA);  // response headers during the request
    std::string pairs = "x";
    CHECK(mapPairs(kRespHeaders, &pairs) == kOk);
    CHECK(pairs.empty());
    CHECK(mapAdd(kRespHeaders, "x", "y") == kBA);
    CHECK(mapSize(kRespHeaders) == kBA);
    return Action::Continue;
  };
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t, bool) {
    // The headers phase continued: Envoy forgot the request headers.
    CHECK(mapGet(kReqHeaders, ":path") == kBA);
    std::string pairs = "x";
    CHECK(mapPairs(kReqHeaders, &pairs) == kOk);
    CHECK(pairs.empty());
    CHECK(mapAdd(kReqHeaders, "x", "y") == kBA);
    CHECK(mapReplace(kReqHeaders, "x", "y") == kBA);
    CHECK(mapRemove(kReqHeaders, ":path") == kBA);
    CHECK(mapSet(kReqHeaders, {{"a", "b"}}) == kBA);
    CHECK(mapSize(kReqHeaders) == kBA);
    return Action::Continue;
  };
  hooks().on_response_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    CHECK(mapGet(kReqHeaders, ":path") == kBA);
    std::string v;
    CHECK(mapGet(kRespHeaders, ":status", &v) == kOk);
    CHECK(v == "200");
    CHECK(mapReplace(kRespHeaders, "x-resp", "1") == kOk);
    return Action::Continue;
  };
  hooks().on_response_body = [&](proxy_wasm::HttpContext&, size_t, bool) {
    CHECK(mapGet(kRespHeaders, ":status") == kBA);
    CHECK(mapAdd(kRespHeaders, "x-late", "1") == kBA);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a"}});
  s.sendRequestBody("b", true);
  s.sendResponseHeaders({{":status", "200"}});
  s.sendResponseBody("r", true);
  CHECK(s.responseHeaders() == HeaderList{{":status", "200"}, {"x-resp", "1"}});
  CHECK(s.forwardedResponseBody() == "r");
}

TEST_CASE_FIXTURE(Fixture, "paused headers stay available (also through the effective context) until continue_stream") {
  host->startPlugin({"http"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a"}});
  s.sendRequestBody("held", true);
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(mapReplace(kReqHeaders, ":path", "/rewritten") == kOk);
    CHECK(proxy_continue_stream(0) == kOk);
    // Forgotten at once, for the rest of the stream; the resume itself comes later.
    CHECK(mapGet(kReqHeaders, ":path") == kBA);
    CHECK(s.requestPaused());
    CHECK(s.forwardedRequestBody().empty());
  };
  std::string body_seen;
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t size, bool eos) {
    CHECK(size == 4);
    CHECK(eos);
    CHECK(bufGet(0, 0, 100, &body_seen) == kOk);
    CHECK(mapGet(kReqHeaders, ":path") == kBA);
    return Action::Continue;
  };
  host->tick();
  CHECK_FALSE(s.requestPaused());
  CHECK(s.requestHeadersForwarded());
  CHECK(s.requestHeaders().get(":path") == std::optional<std::string_view>("/rewritten"));
  CHECK(body_seen == "held");
  CHECK(s.forwardedRequestBody() == "held");
}

TEST_CASE_FIXTURE(Fixture, "continue_stream(RESPONSE) forgets the request maps too, but not the response maps") {
  host->startPlugin({"http"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  hooks().on_response_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a"}});
  s.sendResponseHeaders({{":status", "200"}});  // e.g. an upstream that answers early
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(mapGet(kReqHeaders, ":path") == kOk);
    CHECK(proxy_continue_stream(1) == kOk);
    CHECK(mapGet(kReqHeaders, ":path") == kBA);
    CHECK(mapGet(kRespHeaders, ":status") == kOk);
  };
  host->tick();
  CHECK_FALSE(s.responsePaused());
  CHECK(s.requestPaused());
}

TEST_CASE_FIXTURE(Fixture, "trailers: created from the last body callback through writes; in their callback; not after") {
  host->startPlugin({"http"});
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t, bool eos) {
    CHECK(eos);
    CHECK(mapGet(kReqTrailers, "x-t") == kBA);  // a read does not create them
    CHECK(mapAdd(kReqTrailers, "X-T", "1") == kOk);
    std::string v;
    CHECK(mapGet(kReqTrailers, "x-t", &v) == kOk);
    CHECK(v == "1");
    return Action::Continue;
  };
  hooks().on_response_body = [&](proxy_wasm::HttpContext&, size_t, bool eos) {
    CHECK_FALSE(eos);
    CHECK(mapAdd(kRespTrailers, "x", "1") == kBA);  // not the last body callback
    return Action::Continue;
  };
  hooks().on_response_trailers = [&](proxy_wasm::HttpContext&, uint32_t count) {
    CHECK(count == 1);
    CHECK(mapGet(kRespTrailers, "grpc-status") == kOk);
    CHECK(mapReplace(kRespTrailers, "grpc-message", "ok") == kOk);
    CHECK(mapGet(kReqTrailers, "x-t") == kOk);  // created trailers stay until continued
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("b", true);
  s.sendResponseHeaders({{":status", "200"}});
  s.sendResponseBody("r");
  s.sendResponseTrailers({{"grpc-status", "0"}});
  CHECK(s.requestTrailers() == HeaderList{{"x-t", "1"}});
  CHECK(s.responseTrailers() == HeaderList{{"grpc-status", "0"}, {"grpc-message", "ok"}});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(mapGet(kRespTrailers, "grpc-status") == kBA);  // continued
  };
  host->tick();
}

TEST_CASE_FIXTURE(Fixture, "on_log: maps read-only; request trailers absent (NotFound); size BadArgument") {
  host->startPlugin({"http"});
  bool logged = false;
  hooks().on_log = [&](proxy_wasm::ContextBase&) {
    logged = true;
    std::string v;
    CHECK(mapGet(kReqHeaders, ":path", &v) == kOk);
    CHECK(v == "/a");
    CHECK(mapGet(kRespHeaders, ":status", &v) == kOk);
    CHECK(v == "404");
    CHECK(mapGet(kRespTrailers, "t", &v) == kOk);
    CHECK(mapGet(kReqHeaders, "x-missing") == kNF);
    CHECK(mapGet(kReqTrailers, "t") == kNF);  // unavailable in on_log: NotFound, not BA
    std::string pairs;
    CHECK(mapPairs(kReqHeaders, &pairs) == kOk);
    CHECK(pairs == HeaderList{{":path", "/a"}}.serialize());
    CHECK(mapAdd(kReqHeaders, "x", "y") == kBA);
    CHECK(mapReplace(kRespHeaders, "x", "y") == kBA);
    CHECK(mapRemove(kRespHeaders, ":status") == kBA);
    CHECK(mapSet(kReqHeaders, {}) == kBA);
    CHECK(mapSize(kReqHeaders) == kBA);
    CHECK(mapGet(6, ":status") == kNF);  // any unavailable map reads NotFound in on_log
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a"}});
  s.sendRequestTrailers({{"t", "1"}});
  s.sendResponseHeaders({{":status", "404"}});
  s.sendResponseTrailers({{"t", "2"}});
  s.finish();
  CHECK(logged);
}

// ---- Buffers (§5.9) -------------------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "buffer availability per type in a body callback") {
  HostOptions o;
  o.vm_configuration = "vmcfg";
  with(o);
  host->startPlugin({"http", "plugincfg"});
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t, bool) {
    std::string v = "unset";
    CHECK(bufGet(0, 0, 100, &v) == kOk);
    CHECK(v == "chunk");
    CHECK(bufGet(1, 0, 100, &v) == kOk);  // outside its phase: Ok and empty
    CHECK(v.empty());
    CHECK(bufGet(2, 0, 100, &v) == kOk);
    CHECK(v.empty());
    CHECK(bufGet(3, 0, 100, &v) == kOk);
    CHECK(bufGet(4, 0, 100) == kNF);  // only in on_http_call_response
    CHECK(bufGet(5, 0, 100, &v) == kOk);
    CHECK(v.empty());
    CHECK(bufGet(6, 0, 100, &v) == kOk);  // always
    CHECK(v == "vmcfg");
    CHECK(bufGet(7, 0, 100) == kNF);  // only in on_configure
    CHECK(bufGet(8, 0, 100) == kNF);  // only in on_foreign_function
    CHECK(bufGet(9, 0, 100) == kBA);
    CHECK(bufSet(1, 0, 0, "x") == kBA);  // no response body behind it
    CHECK(bufSet(2, 0, 0, "x") == kBA);
    size_t size = 0;
    uint32_t flags = 7;
    CHECK(proxy_get_buffer_status(0, &size, &flags) == kOk);
    CHECK(size == 5);
    CHECK(flags == 0);
    CHECK(proxy_get_buffer_status(7, &size, &flags) == kNF);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("chunk", true);
}

TEST_CASE_FIXTURE(Fixture, "plugin configuration only during on_configure; VM configuration always") {
  HostOptions o;
  o.vm_configuration = "vmcfg";
  with(o);
  std::string during;
  hooks().on_configure = [&](proxy_wasm::RootContext& root) {
    auto c = root.pluginConfiguration();
    REQUIRE(c.ok());
    during = c->str();
    return true;
  };
  const uint32_t root = host->startPlugin({"root_only", "{\"a\":1}"});
  CHECK(during == "{\"a\":1}");
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(bufGet(7, 0, 100) == kNF);
    std::string v;
    CHECK(bufGet(6, 0, 100, &v) == kOk);
    CHECK(v == "vmcfg");
  };
  host->tick();
  CHECK(host->configure(root, "second"));
  CHECK(during == "second");
}

TEST_CASE_FIXTURE(Fixture, "get_buffer_bytes clamps; set_buffer_bytes prepends, replaces, appends, BA in between") {
  host->startPlugin({"http"});
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t, bool) {
    std::string v;
    CHECK(bufGet(0, 2, 2, &v) == kOk);
    CHECK(v == "23");
    CHECK(bufGet(0, 4, 100, &v) == kOk);
    CHECK(v == "45");
    CHECK(bufGet(0, 9, 1, &v) == kOk);
    CHECK(v.empty());
    CHECK(bufGet(0, 0, 0, &v) == kOk);
    CHECK(v.empty());
    CHECK(bufGet(0, 0, proxy_wasm::kWholeBuffer, &v) == kOk);
    CHECK(v == "012345");
    CHECK(bufSet(0, 0, 0, "<") == kOk);     // prepend
    CHECK(bufSet(0, 7, 0, ">") == kOk);     // at the end: append
    CHECK(bufSet(0, 3, 1, "!") == kBA);     // in between: unsupported
    CHECK(bufSet(0, 0, 2, "[") == kOk);     // drop 2, prepend
    CHECK(bufGet(0, 0, 100, &v) == kOk);
    CHECK(v == "[12345>");
    CHECK(bufSet(0, 0, 100, "new") == kOk);  // replace all
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("012345", true);
  CHECK(s.forwardedRequestBody() == "new");
}

// ---- Pause, buffering, continue (§5.5) ------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "body PAUSE buffers and re-invokes with the accumulated body; CONTINUE forwards all") {
  host->startPlugin({"http"});
  std::vector<size_t> sizes;
  std::vector<std::string> seen;
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t size, bool eos) {
    sizes.push_back(size);
    std::string v;
    CHECK(bufGet(0, 0, proxy_wasm::kWholeBuffer, &v) == kOk);
    seen.push_back(v);
    return eos ? Action::Continue : Action::Pause;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.sendRequestBody("ab") == Action::Pause);
  CHECK(s.requestPaused());
  CHECK(s.bufferedRequestBody() == "ab");
  CHECK(s.sendRequestBody("cd") == Action::Pause);
  CHECK(s.sendRequestBody("e", true) == Action::Continue);
  CHECK(sizes == std::vector<size_t>{2, 4, 5});
  CHECK(seen == std::vector<std::string>{"ab", "abcd", "abcde"});
  CHECK(s.forwardedRequestBody() == "abcde");
  CHECK_FALSE(s.requestPaused());
}

TEST_CASE_FIXTURE(Fixture, "headers PAUSE holds body and trailers; on continue: the whole body, then the trailers") {
  host->startPlugin({"http"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  std::vector<std::string> bodies;
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t size, bool eos) {
    std::string v;
    CHECK(bufGet(0, 0, proxy_wasm::kWholeBuffer, &v) == kOk);
    CHECK(v.size() == size);
    CHECK_FALSE(eos);  // the stream ends with the trailers
    bodies.push_back(v);
    return Action::Continue;
  };
  hooks().on_request_trailers = [&](proxy_wasm::HttpContext&, uint32_t count) {
    CHECK(count == 1);
    CHECK(mapGet(kReqTrailers, "t") == kOk);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(s.sendRequestBody("one,") == Action::Continue);  // held: no callback
  CHECK(s.sendRequestBody("two") == Action::Continue);
  CHECK(s.sendRequestTrailers({{"t", "v"}}) == Action::Continue);
  CHECK(trace().back() == "request_headers " + n(s.id()));
  CHECK(s.forwardedRequestBody().empty());
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(proxy_continue_stream(0) == kOk);
    CHECK(trace().back() == "tick 1");  // nothing happens until the tick returns
  };
  host->tick();
  CHECK(bodies == std::vector<std::string>{"one,two"});
  CHECK(Trace(trace().end() - 3, trace().end()) ==
        Trace{"tick 1", "request_body " + n(s.id()), "request_trailers " + n(s.id())});
  CHECK(s.forwardedRequestBody() == "one,two");
  CHECK_FALSE(s.requestPaused());
}

TEST_CASE_FIXTURE(Fixture, "after a headers PAUSE, held trailers still arrive when the plugin pauses the held body") {
  host->startPlugin({"http"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  hooks().on_request_body = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  hooks().on_request_trailers = [](proxy_wasm::HttpContext&, uint32_t) { return Action::Continue; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("held");
  s.sendRequestTrailers({{"t", "v"}});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(proxy_continue_stream(0) == kOk);
  };
  host->tick();
  CHECK(Trace(trace().end() - 2, trace().end()) == Trace{"request_body " + n(s.id()), "request_trailers " + n(s.id())});
  CHECK(s.forwardedRequestBody() == "held");  // trailers CONTINUE forwards the buffered body
}

TEST_CASE_FIXTURE(Fixture, "continue_stream and close_stream act after the callback returns (§5.5-5.6)") {
  host->startPlugin({"http"});
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("x");
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    std::string v;
    CHECK(proxy_continue_stream(0) == kOk);
    CHECK(bufGet(0, 0, 100, &v) == kOk);  // a body the plugin buffers stays readable
    CHECK(v == "x");
    CHECK(s.requestPaused());
    CHECK(proxy_continue_stream(3) == st(Status::Unimplemented));
    CHECK(proxy_continue_stream(4) == kBA);
  };
  host->tick();
  CHECK_FALSE(s.requestPaused());
  CHECK(s.forwardedRequestBody() == "x");
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(proxy_close_stream(0) == kOk);
    CHECK_FALSE(s.reset());
    CHECK(proxy_close_stream(4) == kBA);
  };
  host->tick();
  CHECK(s.reset());
  CHECK(s.resetDetails() == "wasm_close_stream");
  const size_t calls = trace().size();
  CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);  // a reset stream calls nothing
  CHECK(trace().size() == calls);
}

TEST_CASE_FIXTURE(Fixture, "send_local_response forces stop; details '_'; gRPC status only 0..16 (§4.7, §5.6)") {
  host->startPlugin({"http"});
  uint32_t grpc = 0;
  hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    const std::string headers = HeaderList{{"X-Why", "test"}, {"x-b", "2"}}.serialize();
    CHECK(proxy_send_local_response(403, "a b\tc\nd\re\ff\vg", 13, "denied", 6, headers.data(), headers.size(), grpc) ==
          kOk);
    return Action::Continue;  // forced to stop anyway
  };
  for (uint32_t g : {0u, 16u, 17u, 0xFFFFFFFFu}) {
    CAPTURE(g);
    grpc = g;
    auto& s = host->newHttpStream();
    CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
    REQUIRE(s.localResponse());
    CHECK(s.localResponse()->status == 403);
    CHECK(s.localResponse()->body == "denied");
    CHECK(s.localResponse()->details == "a_b_c_d_e_f_g");
    CHECK(s.localResponse()->headers == HeaderList{{"x-why", "test"}, {"x-b", "2"}});
    if (g <= 16)
      CHECK(s.localResponse()->grpc_status == g);
    else
      CHECK_FALSE(s.localResponse()->grpc_status.has_value());
    CHECK_FALSE(s.requestHeadersForwarded());
    const size_t calls = trace().size();
    CHECK(s.sendRequestBody("x", true) == Action::Continue);  // the stream is over for the plugin
    CHECK(trace().size() == calls);
  }
  CHECK(host->violations().empty());
}

TEST_CASE_FIXTURE(Fixture, "send_local_response: allowed in on_response_headers, refused once they went downstream") {
  host->startPlugin({"http"});
  hooks().on_response_body = [&](proxy_wasm::HttpContext&, size_t, bool) {
    CHECK(proxy_send_local_response(500, "", 0, "late", 4, nullptr, 0, 0xFFFFFFFF) == kOk);  // Ok, but ignored
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  s.sendResponseHeaders({{":status", "200"}});
  s.sendResponseBody("r", true);
  CHECK_FALSE(s.localResponse());
  REQUIRE(host->violations().size() == 1);
  CHECK(host->violations()[0].find("proxy_send_local_response") != std::string::npos);
  CHECK(s.forwardedResponseBody() == "r");

  hooks().on_response_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    CHECK(proxy_send_local_response(502, "", 0, "bad", 3, nullptr, 0, 0xFFFFFFFF) == kOk);
    return Action::Continue;
  };
  auto& s2 = host->newHttpStream();
  s2.sendRequestHeaders({{":path", "/"}}, true);
  CHECK(s2.sendResponseHeaders({{":status", "200"}}) == Action::Pause);
  REQUIRE(s2.localResponse());
  CHECK(s2.localResponse()->status == 502);
  CHECK(host->violations().size() == 1);
}

TEST_CASE_FIXTURE(Fixture, "send_local_response from a tick answers a paused stream; no-op on a root or TCP") {
  host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(proxy_send_local_response(401, "", 0, "", 0, nullptr, 0, 0) == kOk);  // the root: no-op
    REQUIRE(effective(s.id()) == kOk);
    CHECK(proxy_send_local_response(401, "", 0, "who?", 4, nullptr, 0, 16) == kOk);
  };
  host->tick();
  REQUIRE(s.localResponse());
  CHECK(s.localResponse()->status == 401);
  CHECK(s.localResponse()->grpc_status == 16u);
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t, bool) {
    CHECK(proxy_send_local_response(401, "", 0, "", 0, nullptr, 0, 0) == kOk);
    return Action::Continue;
  };
  auto& c = host->newConnection(tcp);
  CHECK(c.sendDownstreamData("x") == Action::Continue);
  CHECK(host->violations().empty());
}

// ---- Callouts (§4.6) ------------------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "http_call: required headers, unknown cluster, token kinds; response maps only in the callback") {
  HostOptions o;
  o.clusters = std::set<std::string>{"auth"};
  with(o);
  const uint32_t root = host->startPlugin({"root_only"});
  uint32_t token = 0;
  std::string status_seen, body_seen;
  hooks().on_tick = [&](proxy_wasm::RootContext& r) {
    const auto call = [](std::string_view cluster, const HeaderList& h, uint32_t* tok) {
      const std::string hb = h.serialize();
      return proxy_http_call(cluster.data(), cluster.size(), hb.data(), hb.size(), "", 0, nullptr, 0, 1000, tok);
    };
    uint32_t t = 0;
    CHECK(call("auth", {{":path", "/"}, {":authority", "a"}}, &t) == kBA);
    CHECK(call("auth", {{":method", "GET"}, {":authority", "a"}}, &t) == kBA);
    CHECK(call("auth", {{":method", "GET"}, {":path", "/"}}, &t) == kBA);
    CHECK(call("other", kGet, &t) == kBA);
    CHECK(call("auth", kGet, nullptr) == kIMA);  // the token slot is checked first
    CHECK(host->httpCalls().empty());
    auto ok = r.httpCall(proxy_wasm::HttpRequest("auth").headers({{":method", "GET"}, {":path", "/x"}, {":authority", "a"}}),
                         [&](const proxy_wasm::HttpCallResponse& resp) {
                           CHECK(mapGet(6, ":status", &status_seen) == kOk);
                           CHECK(bufGet(4, 0, proxy_wasm::kWholeBuffer, &body_seen) == kOk);
                           CHECK(mapGet(7, "t") == kOk);
                           CHECK(mapAdd(6, "x", "y") == kBA);
                           CHECK(mapSize(6) == kBA);
                           CHECK(resp.headerCount() == 1);
                         });
    REQUIRE(ok.ok());
    token = *ok;
  };
  host->tick();
  CHECK(token % 4 == 0);
  REQUIRE(host->httpCalls().size() == 1);
  CHECK(host->httpCalls()[0].root_id == root);
  CHECK(host->respondHttpCall(token, {{":status", "200"}}, "body", {{"t", "1"}}));
  CHECK(status_seen == "200");
  CHECK(body_seen == "body");
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(mapGet(6, ":status") == kBA);
    CHECK(mapGet(7, "t") == kBA);
    CHECK(bufGet(4, 0, 10) == kNF);
  };
  host->tick();
}

TEST_CASE_FIXTURE(Fixture, "http_call failure: zero headers and get_status BrokenConnection") {
  host->startPlugin({"root_only"});
  uint32_t code = 0;
  std::string message;
  bool failed = false;
  hooks().on_tick = [&](proxy_wasm::RootContext& r) {
    auto ok = r.httpCall(proxy_wasm::HttpRequest("c").headers({{":method", "GET"}, {":path", "/"}, {":authority", "a"}}),
                         [&](const proxy_wasm::HttpCallResponse& resp) {
                           failed = resp.failed();
                           Owned o;
                           CHECK(proxy_get_status(&code, &o.p, &o.n) == kOk);
                           message = o.str();
                           CHECK(mapGet(6, ":status") == kBA);
                           CHECK(bufGet(4, 0, 10) == kNF);
                         });
    CHECK(ok.ok());
  };
  host->tick();
  REQUIRE(host->pendingHttpCalls().size() == 1);
  CHECK(host->failHttpCall(host->pendingHttpCalls()[0]));
  CHECK(failed);
  CHECK(code == st(Status::BrokenConnection));
  CHECK(message == "reset");
}

TEST_CASE_FIXTURE(Fixture, "gRPC: send on a call token BA, unknown token NF, close and cancel (§2.2)") {
  HostOptions o;
  o.clusters = std::set<std::string>{"grpc"};
  with(o);
  host->startPlugin({"root_only"});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    uint32_t call = 0, stream = 0;
    CHECK(proxy_grpc_call("nope", 4, "s", 1, "m", 1, nullptr, 0, "", 0, 100, &call) == st(Status::ParseFailure));
    CHECK(proxy_grpc_call("grpc", 4, "s", 1, "m", 1, nullptr, 0, "req", 3, 100, &call) == kOk);
    CHECK(proxy_grpc_stream("grpc", 4, "s", 1, "m", 1, nullptr, 0, &stream) == kOk);
    CHECK(call % 4 == 1);
    CHECK(stream % 4 == 2);
    CHECK(proxy_grpc_send(call, "x", 1, 0) == kBA);
    CHECK(proxy_grpc_send(stream + 4, "x", 1, 0) == kNF);
    CHECK(proxy_grpc_send(stream, nullptr, 1, 0) == kIMA);
    CHECK(proxy_grpc_send(stream, "x", 1, 1) == kOk);
    CHECK(proxy_grpc_cancel(4) == kBA);  // an HTTP token
    CHECK(proxy_grpc_close(call + 4) == kNF);
    CHECK(proxy_grpc_close(stream) == kOk);
    CHECK(proxy_grpc_cancel(call) == kOk);
    CHECK(proxy_grpc_cancel(call) == kNF);
  };
  host->tick();
  REQUIRE(host->grpcCalls().size() == 2);
  CHECK(host->grpcCalls()[1].sent == std::vector<std::string>{"x"});
  CHECK(host->grpcCalls()[1].local_closed);
  CHECK(host->grpcCalls()[0].cancelled);
  CHECK_FALSE(host->respondGrpcCall(host->grpcCalls()[0].token, "late"));
}

// ---- Shared data and queues (§4.4-4.5) ------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "shared data: cas 0 unconditional, absent key created whatever the cas, CasMismatch, +1") {
  HostOptions o;
  o.vm_id = "vm-a";
  with(o);
  host->startPlugin({"root_only"});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    Owned v;
    uint32_t cas = 0;
    CHECK(proxy_get_shared_data("k", 1, &v.p, &v.n, &cas) == kNF);
    CHECK(proxy_set_shared_data("k", 1, "1", 1, 12345) == kOk);
    Owned v1;
    CHECK(proxy_get_shared_data("k", 1, &v1.p, &v1.n, &cas) == kOk);
    CHECK(v1.str() == "1");
    const uint32_t c1 = cas;
    CHECK(proxy_set_shared_data("k", 1, "2", 1, c1 + 7) == st(Status::CasMismatch));
    CHECK(proxy_set_shared_data("k", 1, "2", 1, c1) == kOk);
    CHECK(proxy_set_shared_data("k", 1, "3", 1, c1) == st(Status::CasMismatch));
    CHECK(proxy_set_shared_data("k", 1, "3", 1, 0) == kOk);
    Owned v3;
    CHECK(proxy_get_shared_data("k", 1, &v3.p, &v3.n, &cas) == kOk);
    CHECK(v3.str() == "3");
    CHECK(cas == c1 + 2);
    CHECK(proxy_get_shared_data(nullptr, 1, &v.p, &v.n, &cas) == kIMA);
  };
  host->tick();
  REQUIRE(host->sharedData("k"));  // stored under this host's vm_id
  CHECK(host->sharedData("k")->first == "3");
}

TEST_CASE_FIXTURE(Fixture, "queues: one on_queue_ready per enqueue, after the current callback, never re-entrant") {
  const uint32_t a = host->startPlugin({"root_only"});
  const uint32_t b = host->startPlugin({"root_only"});
  uint32_t qid = 0;
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(proxy_resolve_shared_queue("", 0, "q", 1, &qid) == kNF);
    CHECK(proxy_register_shared_queue("q", 1, &qid) == kOk);
  };
  host->tick(a);
  int depth = 0, max_depth = 0, ready = 0;
  hooks().on_queue_ready = [&](proxy_wasm::RootContext& r, uint32_t id) {
    ++depth;
    max_depth = std::max(max_depth, depth);
    CHECK(r.id() == a);
    CHECK(id == qid);
    Owned o;
    if (++ready == 1) CHECK(proxy_enqueue_shared_queue(qid, "again", 5) == kOk);  // its notification comes later
    CHECK(proxy_dequeue_shared_queue(qid, &o.p, &o.n) == kOk);
    --depth;
  };
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(proxy_enqueue_shared_queue(qid, "1", 1) == kOk);
    CHECK(proxy_enqueue_shared_queue(qid, "2", 1) == kOk);
    CHECK(proxy_enqueue_shared_queue(qid + 9, "x", 1) == kNF);
    CHECK(ready == 0);
  };
  host->tick(b);
  CHECK(ready == 3);
  CHECK(max_depth == 1);
  CHECK(host->queueSize(qid) == 0);
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    Owned o;
    CHECK(proxy_dequeue_shared_queue(qid, &o.p, &o.n) == st(Status::Empty));
    CHECK(proxy_dequeue_shared_queue(qid + 9, &o.p, &o.n) == kNF);
  };
  host->tick(a);
}

TEST_CASE_FIXTURE(Fixture, "queues: register from a stream moves the notify target to that stream's root") {
  const uint32_t a = host->startPlugin({"root_only"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  uint32_t qid = 0;
  hooks().on_tick = [&](proxy_wasm::RootContext&) { CHECK(proxy_register_shared_queue("q", 1, &qid) == kOk); };
  host->tick(a);
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t, bool) {
    uint32_t again = 0;
    CHECK(proxy_register_shared_queue("q", 1, &again) == kOk);
    CHECK(again == qid);
    return Action::Continue;
  };
  host->newConnection(tcp).sendDownstreamData("x");
  std::vector<uint32_t> notified;
  hooks().on_queue_ready = [&](proxy_wasm::RootContext& r, uint32_t) { notified.push_back(r.id()); };
  CHECK(host->enqueue(qid, "m"));
  CHECK(notified == std::vector<uint32_t>{tcp});
}

// ---- Metrics (§5.8) ---------------------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "metrics: type in the id, counter delta <= 0 BA, record adds, gauge set/add, histogram get BA") {
  host->startPlugin({"root_only"});
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    uint32_t c = 0, g = 0, h = 0;
    CHECK(proxy_define_metric(0, "reqs", 4, &c) == kOk);
    CHECK(proxy_define_metric(1, "level", 5, &g) == kOk);
    CHECK(proxy_define_metric(2, "lat", 3, &h) == kOk);
    CHECK(proxy_define_metric(3, "bad", 3, &h) == kBA);
    CHECK((c & 3) == 0);
    CHECK((g & 3) == 1);
    CHECK((h & 3) == 2);
    CHECK(proxy_increment_metric(c, 2) == kOk);
    CHECK(proxy_increment_metric(c, 0) == kBA);
    CHECK(proxy_increment_metric(c, -5) == kBA);
    CHECK(proxy_record_metric(c, 3) == kOk);  // adds
    uint64_t v = 0;
    CHECK(proxy_get_metric(c, &v) == kOk);
    CHECK(v == 5);
    CHECK(proxy_record_metric(g, 9) == kOk);  // sets
    CHECK(proxy_increment_metric(g, -4) == kOk);
    CHECK(proxy_get_metric(g, &v) == kOk);
    CHECK(v == 5);
    CHECK(proxy_record_metric(h, 7) == kOk);
    CHECK(proxy_get_metric(h, &v) == kBA);
    CHECK(proxy_increment_metric(h, 1) == kBA);
    CHECK(proxy_get_metric(c + 64, &v) == kNF);
    CHECK(proxy_increment_metric(c + 64, 1) == kNF);
    CHECK(proxy_record_metric(g + 64, 1) == kNF);
    CHECK(proxy_get_metric(c, nullptr) == kIMA);
    uint32_t again = 0;
    CHECK(proxy_define_metric(0, "reqs", 4, &again) == kOk);  // a new id for the same stat
    CHECK(again != c);
    CHECK(proxy_increment_metric(again, 1) == kOk);
  };
  host->tick();
  CHECK(host->counter("reqs") == 6u);
  CHECK(host->gauge("level") == 5);
  CHECK(host->histogram("lat") == std::vector<uint64_t>{7});
}

// ---- Properties (§4.2-4.3) ---------------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "properties: NUL-joined paths, plugin attributes, request/response values by phase") {
  HostOptions o;
  o.vm_id = "vm-1";
  with(o);
  const uint32_t root = host->startPlugin({"http", "", "my-plugin"});
  hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    std::string v;
    CHECK(propGet("plugin_name", &v) == kOk);
    CHECK(v == "my-plugin");
    CHECK(propGet(path({"plugin_root_id"}, true), &v) == kOk);  // CSDK's trailing NUL
    CHECK(v == "http");
    CHECK(propGet("plugin_vm_id", &v) == kOk);
    CHECK(v == "vm-1");
    CHECK(propGet(path({"request", "path"}), &v) == kOk);
    CHECK(v == "/a?b");
    CHECK(propGet(path({"request", "path"}, true), &v) == kOk);
    CHECK(propGet(path({"request", "method"}), &v) == kOk);
    CHECK(v == "POST");
    CHECK(propGet(path({"request", "headers", "x-a"}), &v) == kOk);
    CHECK(v == "1");
    CHECK(propGet(path({"request", "headers"}), &v) == kOk);
    CHECK(v == HeaderList{{":path", "/a?b"}, {":method", "POST"}, {"x-a", "1"}}.serialize());
    CHECK(propGet(path({"request", "headers", "x-none"})) == kNF);
    CHECK(propGet("request.path") == kNF);  // dots are not separators
    CHECK(propGet(path({"response", "code"})) == kNF);
    CHECK(propSet("my_state", "hello") == kOk);
    CHECK(propSet(path({"a", "b"}), "nested") == kOk);
    CHECK(propSet(path({"trail"}, true), "t") == kOk);
    return Action::Continue;
  };
  hooks().on_response_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    std::string v;
    CHECK(propGet(path({"request", "path"})) == kNF);  // the request phase continued (envoy#24194)
    CHECK(propGet(path({"response", "code"}), &v) == kOk);
    CHECK(le64(v) == 201);
    CHECK(propGet("my_state", &v) == kOk);  // set_property then get_property on the stream
    CHECK(v == "hello");
    CHECK(propGet(path({"my_state"}, true), &v) == kOk);
    // Envoy stores the path as sent but reads filter state by its first segment only.
    CHECK(propGet(path({"a", "b"})) == kNF);
    CHECK(propGet("trail") == kNF);
    return Action::Continue;
  };
  bool logged = false;
  hooks().on_log = [&](proxy_wasm::ContextBase&) {
    logged = true;
    std::string v;
    CHECK(propGet(path({"request", "path"}), &v) == kOk);  // access-log headers
    CHECK(v == "/a?b");
    CHECK(propGet(path({"response", "code"}), &v) == kOk);
    CHECK(le64(v) == 201);
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/a?b"}, {":method", "POST"}, {"x-a", "1"}}, true);
  s.sendResponseHeaders({{":status", "201"}}, true);
  s.finish();
  CHECK(logged);
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    CHECK(propSet("k", "v") == kNF);  // no stream on a root
    CHECK(propGet(path({"request", "path"})) == kNF);
    std::string v;
    CHECK(propGet("plugin_root_id", &v) == kOk);
    Owned out;
    CHECK(proxy_get_property(nullptr, 3, &out.p, &out.n) == kIMA);
  };
  host->tick(root);
}

TEST_CASE_FIXTURE(Fixture, "properties: response.code from a local response, TCP filter state, host values") {
  HostOptions o;
  o.properties[path({"node", "id"})] = "node-7";
  with(o);
  host->startPlugin({"http"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  hooks().on_request_headers = [&](proxy_wasm::HttpContext& ctx, size_t, bool) {
    CHECK(ctx.sendLocalResponse(429, "slow down") == Status::Ok);
    return Action::Continue;
  };
  hooks().on_log = [&](proxy_wasm::ContextBase&) {
    std::string v;
    CHECK(propGet(path({"response", "code"}), &v) == kOk);
    CHECK(le64(v) == 429);
    CHECK(propGet(path({"node", "id"}), &v) == kOk);
    CHECK(v == "node-7");
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.finish();
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t, bool) {
    std::string v;
    CHECK(propSet("conn_state", "x") == kOk);
    CHECK(propGet("conn_state", &v) == kOk);
    CHECK(v == "x");
    CHECK(propGet(path({"source", "address"}), &v) == kOk);  // a per-connection value set by the test
    CHECK(v == "10.0.0.1:1234");
    return Action::Continue;
  };
  auto& c = host->newConnection(tcp);
  c.setProperty(path({"source", "address"}), "10.0.0.1:1234");
  c.sendDownstreamData("x");
}

// ---- Timers (§5.7) ------------------------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "timers: period per root, first tick after the period, re-armed, 0 cancels") {
  const uint32_t a = host->startPlugin({"root_only"});
  const uint32_t tcp = host->startPlugin({"tcp"});
  hooks().on_tick = [&](proxy_wasm::RootContext& r) {
    if (r.id() == a && host->tickPeriod(a) == 0) CHECK(proxy_set_tick_period_milliseconds(40) == kOk);
  };
  host->tick(a);  // sets a's period from its own tick
  CHECK(host->tickPeriod(a) == 40);
  CHECK(host->tickPeriod(tcp) == 0);
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t, bool) {
    CHECK(proxy_set_tick_period_milliseconds(100) == kOk);  // the stream's root
    return Action::Continue;
  };
  host->newConnection(tcp).sendDownstreamData("x");
  CHECK(host->tickPeriod(tcp) == 100);
  CHECK(host->tickPeriod(a) == 40);
  trace().clear();
  std::vector<uint64_t> times;
  const uint64_t t0 = host->now();
  hooks().on_tick = [&](proxy_wasm::RootContext& r) { times.push_back((host->now() - t0) / 1000000 * 10 + r.id()); };
  host->advanceTime(39);
  CHECK(times.empty());  // first tick after the whole period
  host->advanceTime(161);  // to 200 ms
  // (ms * 10 + root id): a at 40, 80, 100(tcp), 120, 160, 200 and tcp at 200 (a first: earlier root)
  CHECK(times == std::vector<uint64_t>{400 + a, 800 + a, 1000 + tcp, 1200 + a, 1600 + a, 2000 + a, 2000 + tcp});
  hooks().on_tick = [&](proxy_wasm::RootContext& r) {
    if (r.id() == a) CHECK(proxy_set_tick_period_milliseconds(0) == kOk);
  };
  host->advanceTime(40);  // a's tick at 240 cancels it
  CHECK(host->tickPeriod(a) == 0);
  trace().clear();
  host->advanceTime(1000);
  CHECK(trace().size() == 10);  // tcp only
  CHECK(trace().front() == "tick " + n(tcp));
}

// ---- Driver: Envoy behaviours of the host model -------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "TCP: upstream eos reports on_upstream_connection_close(Unknown); PAUSE accumulates") {
  host->startPlugin({"tcp"});
  std::vector<PeerType> upstream_closes;
  hooks().on_upstream_close = [&](proxy_wasm::StreamContext&, PeerType p) { upstream_closes.push_back(p); };
  std::vector<size_t> sizes;
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t size, bool) {
    sizes.push_back(size);
    std::string v;
    CHECK(bufGet(2, 0, proxy_wasm::kWholeBuffer, &v) == kOk);
    CHECK(v.size() == size);
    CHECK(bufSet(3, 0, 0, "x") == kBA);  // upstream data is not in this callback
    return size < 4 ? Action::Pause : Action::Continue;
  };
  auto& c = host->newConnection();
  CHECK(c.sendDownstreamData("ab") == Action::Pause);
  CHECK(c.forwardedDownstream().empty());
  CHECK(c.sendDownstreamData("cd") == Action::Continue);
  CHECK(sizes == std::vector<size_t>{2, 4});
  CHECK(c.forwardedDownstream() == "abcd");
  CHECK(c.sendUpstreamData("resp", true) == Action::Continue);
  CHECK(upstream_closes == std::vector<PeerType>{PeerType::Unknown});
  CHECK(c.forwardedUpstream() == "resp");
  CHECK_FALSE(c.finished());  // the downstream is still open
  c.closeUpstream(PeerType::Remote);
  CHECK(upstream_closes == std::vector<PeerType>{PeerType::Unknown, PeerType::Remote});
}

TEST_CASE_FIXTURE(Fixture, "TCP: continue_stream(DOWNSTREAM) from a tick forwards; UPSTREAM is Unimplemented") {
  host->startPlugin({"tcp"});
  hooks().on_downstream_data = [](proxy_wasm::StreamContext&, size_t, bool) { return Action::Pause; };
  auto& c = host->newConnection();
  c.sendDownstreamData("held");
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(c.id()) == kOk);
    std::string v;
    CHECK(bufGet(2, 0, 100, &v) == kOk);  // paused data stays readable
    CHECK(v == "held");
    CHECK(bufSet(2, 100, 0, "+") == kOk);
    CHECK(proxy_continue_stream(3) == st(Status::Unimplemented));
    CHECK(proxy_continue_stream(2) == kOk);
    CHECK(c.forwardedDownstream().empty());  // after the callback
  };
  host->tick();
  CHECK(c.forwardedDownstream() == "held+");
}

TEST_CASE_FIXTURE(Fixture, "TCP: the downstream close finalizes the connection at once (Envoy onCloseTCP)") {
  host->startPlugin({"tcp"});
  PeerType peer = PeerType::Unknown;
  hooks().on_downstream_close = [&](proxy_wasm::StreamContext&, PeerType p) { peer = p; };
  auto& c = host->newConnection();
  trace().clear();
  c.closeDownstream(PeerType::Remote);
  CHECK(peer == PeerType::Remote);
  const std::string id = n(c.id());
  CHECK(trace() == Trace{"downstream_close " + id, "done " + id, "log " + id, "delete " + id});
  CHECK(c.finished());
  c.closeUpstream();  // nothing more reaches the plugin
  c.finish();
  CHECK(trace().size() == 4);
}

TEST_CASE_FIXTURE(Fixture, "TCP: close_stream closes the downstream connection after the callback (Local)") {
  host->startPlugin({"tcp"});
  PeerType peer = PeerType::Unknown;
  hooks().on_downstream_close = [&](proxy_wasm::StreamContext&, PeerType p) { peer = p; };
  auto& c = host->newConnection();
  hooks().on_downstream_data = [&](proxy_wasm::StreamContext&, size_t, bool) {
    CHECK(proxy_close_stream(3) == kOk);
    CHECK_FALSE(c.closed());  // deferred
    return Action::Continue;
  };
  trace().clear();
  c.sendDownstreamData("x");
  CHECK(c.closed());
  CHECK(peer == PeerType::Local);
  const std::string id = n(c.id());
  CHECK(trace() == Trace{"downstream_data " + id, "downstream_close " + id, "done " + id, "log " + id, "delete " + id});
  CHECK(c.forwardedDownstream() == "x");
}

TEST_CASE_FIXTURE(Fixture, "buffer limit: a PAUSEd body over it gets 413 and the VM is not called again") {
  HostOptions o;
  o.buffer_limit = 8;
  with(o);
  host->startPlugin({"http"});
  int calls = 0;
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t, bool) {
    ++calls;
    return Action::Pause;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.sendRequestBody("12345") == Action::Pause);
  CHECK(s.sendRequestBody("67890") == Action::Pause);  // 10 > 8 while buffering
  CHECK(calls == 1);
  REQUIRE(s.localResponse());
  CHECK(s.localResponse()->status == 413);
  CHECK(s.localResponse()->details == "request_payload_too_large");
  CHECK(s.sendRequestBody("x", true) == Action::Continue);
  CHECK(calls == 1);
}

TEST_CASE_FIXTURE(Fixture, "buffer limit: one chunk over it reaches the plugin; a PAUSE on it is the 413") {
  HostOptions o;
  o.buffer_limit = 4;
  with(o);
  host->startPlugin({"http"});
  Action result = Action::Continue;
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t size, bool) {
    CHECK(size == 10);
    return result;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.sendRequestBody("0123456789") == Action::Continue);  // streaming: no limit
  CHECK(s.forwardedRequestBody() == "0123456789");
  CHECK_FALSE(s.localResponse());
  result = Action::Pause;
  auto& s2 = host->newHttpStream();
  s2.sendRequestHeaders({{":path", "/"}});
  CHECK(s2.sendRequestBody("0123456789") == Action::Pause);
  REQUIRE(s2.localResponse());
  CHECK(s2.localResponse()->status == 413);
}

TEST_CASE_FIXTURE(Fixture, "buffer limit: a headers PAUSE is flow control (no 413); the held body arrives whole") {
  HostOptions o;
  o.buffer_limit = 4;
  with(o);
  host->startPlugin({"http"});
  hooks().on_request_headers = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  size_t seen = 0;
  hooks().on_request_body = [&](proxy_wasm::HttpContext&, size_t size, bool) {
    seen = size;
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("0123456789");
  s.sendRequestBody("abcdef", true);
  CHECK_FALSE(s.localResponse());
  hooks().on_tick = [&](proxy_wasm::RootContext&) {
    REQUIRE(effective(s.id()) == kOk);
    CHECK(proxy_continue_stream(0) == kOk);
  };
  host->tick();
  CHECK(seen == 16);
  CHECK(s.forwardedRequestBody() == "0123456789abcdef");
  CHECK_FALSE(s.localResponse());
}

TEST_CASE_FIXTURE(Fixture, "buffer limit: a response over it after its headers went downstream is reset") {
  HostOptions o;
  o.buffer_limit = 4;
  with(o);
  host->startPlugin({"http"});
  hooks().on_response_body = [](proxy_wasm::HttpContext&, size_t, bool) { return Action::Pause; };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  s.sendResponseHeaders({{":status", "200"}});
  s.sendResponseBody("123");
  s.sendResponseBody("456");
  CHECK(s.reset());
  CHECK(s.resetDetails() == "response_payload_too_large");
  CHECK_FALSE(s.localResponse());
}

// ---- Native pointers (§2.1) ------------------------------------------------------------------------

TEST_CASE_FIXTURE(Fixture, "natively, a null pointer with a size is InvalidMemoryAccess; (null, 0) is valid") {
  host->startPlugin({"http"});
  hooks().on_request_headers = [&](proxy_wasm::HttpContext&, size_t, bool) {
    CHECK(proxy_log(2, nullptr, 3) == kIMA);
    CHECK(proxy_log(2, nullptr, 0) == kOk);
    CHECK(proxy_log(7, nullptr, 3) == kBA);  // the level is checked first
    CHECK(proxy_get_log_level(nullptr) == kIMA);
    CHECK(proxy_get_current_time_nanoseconds(nullptr) == kIMA);
    char* p = nullptr;
    size_t sz = 0;
    CHECK(proxy_get_header_map_value(0, nullptr, 5, &p, &sz) == kIMA);
    // Bad out-params (calls that allocate nothing, so nothing leaks).
    CHECK(proxy_get_header_map_size(0, nullptr) == kIMA);
    CHECK(proxy_get_header_map_pairs(2, nullptr, &sz) == kIMA);  // an empty map: ptr 0 written first
    CHECK(proxy_get_buffer_status(6, nullptr, nullptr) == kIMA);
    CHECK(proxy_add_header_map_value(0, "k", 1, nullptr, 2) == kIMA);
    CHECK(proxy_add_header_map_value(0, "k", 1, nullptr, 0) == kOk);  // an empty value
    CHECK(proxy_set_header_map_pairs(0, nullptr, 4) == kIMA);
    CHECK(proxy_set_buffer_bytes(0, 0, 0, nullptr, 1) == kIMA);
    CHECK(proxy_send_local_response(400, nullptr, 1, nullptr, 0, nullptr, 0, 0) == kIMA);
    CHECK(proxy_set_shared_data("k", 1, nullptr, 1, 0) == kIMA);
    CHECK(proxy_enqueue_shared_queue(1, nullptr, 1) == kIMA);
    CHECK(proxy_define_metric(0, nullptr, 1, nullptr) == kIMA);
    CHECK(proxy_call_foreign_function(nullptr, 1, nullptr, 0, &p, &sz) == kIMA);
    return Action::Continue;
  };
  auto& s = host->newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  CHECK(s.requestHeaders().get("k") == std::optional<std::string_view>(""));
  CHECK_FALSE(s.localResponse());
}
