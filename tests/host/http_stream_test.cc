// HTTP streams (http_stream.h): buffers and header maps by phase, pause and continue,
// local responses, the buffer limit, traps on a stream.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("buffers: range clamping, status, flags") {
  Fx f(HostOptions{"vm", "0123456789"});
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    std::string out = "unset";
    CHECK(f.getBuffer(6, 0, 0xFFFFFFFF, &out) == kOk);
    CHECK(out == "0123456789");
    CHECK(f.getBuffer(6, 3, 4, &out) == kOk);
    CHECK(out == "3456");
    CHECK(f.getBuffer(6, 8, 100, &out) == kOk);  // truncated
    CHECK(out == "89");
    CHECK(f.getBuffer(6, 10, 5, &out) == kOk);  // at the end
    CHECK(out.empty());
    CHECK(f.getBuffer(6, 50, 5, &out) == kOk);  // past the end
    CHECK(out.empty());
    CHECK(f.getBuffer(6, 2, 0, &out) == kOk);  // length 0
    CHECK(out.empty());
    // Empty results are 0/0, with nothing allocated.
    const Ptr pp = f.slot(), ps = f.slot();
    f.M().writeU32(pp, 0x1234);
    f.M().writeU32(ps, 0x1234);
    CHECK(abi::proxy_get_buffer_bytes(f.model(), f.M(), 6, 50, 5, pp, ps) == kOk);
    CHECK(f.M().u32(pp) == 0);
    CHECK(f.M().u32(ps) == 0);
    CHECK(abi::proxy_get_buffer_bytes(f.model(), f.M(), 6, 0, 5, kOob, ps) == kIMA);
    CHECK(f.getBuffer(9, 0, 1) == kBA);
    uint32_t size = 0, flags = 0;
    CHECK(f.bufferStatus(6, &size, &flags) == kOk);
    CHECK(size == 10);
    CHECK(flags == 0);
    CHECK(f.bufferStatus(9) == kBA);
    CHECK(abi::proxy_get_buffer_status(f.model(), f.M(), 6, kOob, f.slot()) == kIMA);
    // Unavailable now: 4 (no call response), 7 (not configuring), 8 (no foreign call).
    for (uint32_t t : {4u, 7u, 8u}) {
      CHECK(f.getBuffer(t, 0, 10) == kNF);
      CHECK(f.bufferStatus(t) == kNF);
    }
    // Body buffers without an HTTP stream read as empty; 5 (gRPC) outside its callback too.
    for (uint32_t t : {0u, 1u, 2u, 3u, 5u}) {
      CHECK(f.getBuffer(t, 0, 10, &out) == kOk);
      CHECK(out.empty());
    }
    // Writes: read-only buffers are BA, except the call response and the plugin
    // configuration, which do not exist now (NotFound); a body or TCP data with nothing
    // behind it is BA (Envoy's empty buffer object); IMA.
    for (uint32_t t : {5u, 6u, 8u}) CHECK(f.setBuffer(t, 0, 0, "x") == kBA);
    for (uint32_t t : {4u, 7u}) CHECK(f.setBuffer(t, 0, 0, "x") == kNF);
    for (uint32_t t : {0u, 1u, 2u, 3u}) CHECK(f.setBuffer(t, 0, 0, "x") == kBA);
    CHECK(f.setBuffer(9, 0, 0, "x") == kBA);
    CHECK(abi::proxy_set_buffer_bytes(f.model(), f.M(), 6, 0, 0, kOob, 1) == kIMA);
  });
}

TEST_CASE("plugin configuration: buffer 7 only during on_configure") {
  Fx f(HostOptions{"vm", "vmcfg"});
  std::vector<std::string> seen;
  f.on(Callback::VmStart, [&](const std::vector<uint32_t>&) {
    std::string out;
    CHECK(f.getBuffer(6, 0, 100, &out) == kOk);
    seen.push_back("vm_start:" + out);
    CHECK(f.getBuffer(7, 0, 100) == kNF);
    return 1u;
  });
  f.on(Callback::Configure, [&](const std::vector<uint32_t>&) {
    std::string out;
    CHECK(f.getBuffer(7, 0, 100, &out) == kOk);
    seen.push_back("configure:" + out);
    return 1u;
  });
  const uint32_t root = f.start("r", "plugincfg");
  CHECK(seen == std::vector<std::string>{"vm_start:vmcfg", "configure:plugincfg"});
  f.inTick(root, [&] { CHECK(f.getBuffer(7, 0, 100) == kNF); });
  CHECK(f.H().configure(root, "second"));
  CHECK(seen.back() == "configure:second");
}

TEST_CASE("set_buffer_bytes on a body: prepend, replace, append, BA in between") {
  Fx f;
  f.start();
  std::vector<uint32_t> results;
  std::string after;
  f.on(Callback::RequestBody, [&](const std::vector<uint32_t>&) {
    results.push_back(f.setBuffer(0, 0, 0, "<"));          // prepend
    results.push_back(f.setBuffer(0, 100, 0, ">"));        // start past the end: append
    results.push_back(f.setBuffer(0, 2, 1, "!"));          // in between: unsupported
    results.push_back(f.setBuffer(0, 0, 2, "[["));         // drop 2, prepend
    f.getBuffer(0, 0, 0xFFFFFFFF, &after);
    results.push_back(f.setBuffer(0, 0, 0xFFFFFFFF, "all"));  // replace everything
    results.push_back(f.setBuffer(0, 3, 0, "+"));          // start == length: append
    results.push_back(f.setBuffer(1, 0, 0, "x"));          // the response body does not exist
    return 0u;
  });
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    results.push_back(f.setBuffer(0, 0, 0, "early"));  // no body in the headers phase
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  s.sendRequestBody("body", true);
  CHECK(results == std::vector<uint32_t>{kBA, kOk, kOk, kBA, kOk, kOk, kOk, kBA});
  CHECK(after == "[[ody>");
  CHECK(s.forwardedRequestBody() == "all+");
  CHECK(s.bufferedResponseBody().empty());
}

TEST_CASE("header maps: statuses of every operation") {
  Fx f;
  f.start();
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>& a) {
    CHECK(a[1] == 3);  // number of headers
    CHECK(a[2] == 0);  // end of stream
    std::string v;
    CHECK(f.getValue(0, "X-Dup", &v) == kOk);  // keys are lower-cased; the first value
    CHECK(v == "1");
    CHECK(f.getValue(0, "x-missing") == kNF);
    CHECK(f.getValue(8, "x") == kBA);
    CHECK(abi::proxy_get_header_map_value(f.model(), f.M(), 0, kOob, 3, f.slot(), f.slot()) == kIMA);
    uint32_t size = 0;
    CHECK(f.size(0, &size) == kOk);
    CHECK(size == std::string(":path/x-dup1x-dup2").size());  // Envoy's byteSize()
    CHECK(f.size(8) == kBA);
    CHECK(abi::proxy_get_header_map_size(f.model(), f.M(), 0, kOob) == kIMA);
    std::string pairs;
    CHECK(f.getPairs(0, &pairs) == kOk);
    CHECK(pairs == HeaderList{{":path", "/"}, {"x-dup", "1"}, {"x-dup", "2"}}.serialize());
    CHECK(f.getPairs(8, &pairs) == kBA);
    CHECK(abi::proxy_get_header_map_pairs(f.model(), f.M(), 0, kOob, f.slot()) == kIMA);
    CHECK(f.add(0, "X-New", "a") == kOk);
    CHECK(f.add(0, "x-new", "b") == kOk);  // duplicates allowed
    CHECK(f.replace(0, "x-dup", "r") == kOk);
    CHECK(f.replace(0, "x-absent", "added") == kOk);
    CHECK(f.remove(0, "x-never") == kOk);
    CHECK(f.add(8, "k", "v") == kBA);
    CHECK(f.replace(8, "k", "v") == kBA);
    CHECK(f.remove(8, "k") == kBA);
    auto k = f.in("k");
    CHECK(abi::proxy_add_header_map_value(f.model(), f.M(), 0, k.p, k.n, kOob, 1) == kIMA);
    CHECK(abi::proxy_replace_header_map_value(f.model(), f.M(), 0, kOob, 1, k.p, k.n) == kIMA);
    CHECK(abi::proxy_remove_header_map_value(f.model(), f.M(), 0, kOob, 1) == kIMA);
    CHECK(f.setPairs(8, "") == kBA);
    CHECK(abi::proxy_set_header_map_pairs(f.model(), f.M(), 0, kOob, 4) == kIMA);
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}, {"x-dup", "1"}, {"X-Dup", "2"}});
  CHECK(s.requestHeaders() == HeaderList{{":path", "/"}, {"x-dup", "r"}, {"x-new", "a"}, {"x-new", "b"}, {"x-absent", "added"}});
}

TEST_CASE("set_header_map_pairs replaces the map; malformed input clears it") {
  Fx f;
  f.start();
  std::string mode;
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    std::string bytes;
    if (mode == "good") bytes = HeaderList{{"A", "1"}, {"b", "2"}}.serialize();
    if (mode == "truncated") bytes = HeaderList{{"a", "1"}}.serialize().substr(0, 10);
    if (mode == "no-nul") {
      bytes = HeaderList{{"a", "1"}}.serialize();
      bytes[bytes.size() - 1] = 'x';
    }
    if (mode == "trailing") bytes = HeaderList{{"a", "1"}}.serialize() + "z";
    CHECK(f.setPairs(0, bytes) == kOk);
    return 0u;
  });
  for (std::string m : {"good", "truncated", "no-nul", "trailing", "empty"}) {
    CAPTURE(m);
    mode = m;
    auto& s = f.H().newHttpStream();
    s.sendRequestHeaders({{":path", "/"}});
    if (m == "good")
      CHECK(s.requestHeaders() == HeaderList{{"a", "1"}, {"b", "2"}});  // keys lower-cased
    else
      CHECK(s.requestHeaders().empty());
  }
}

TEST_CASE("continue_stream and close_stream statuses") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    CHECK(abi::proxy_continue_stream(f.model(), f.M(), 0) == kOk);  // no stream: nothing to do, Ok
    CHECK(abi::proxy_continue_stream(f.model(), f.M(), 1) == kOk);
    CHECK(abi::proxy_continue_stream(f.model(), f.M(), 2) == kOk);
    CHECK(abi::proxy_continue_stream(f.model(), f.M(), 3) == st(Status::Unimplemented));
    CHECK(abi::proxy_continue_stream(f.model(), f.M(), 4) == kBA);
    for (uint32_t t : {0u, 1u, 2u, 3u}) CHECK(abi::proxy_close_stream(f.model(), f.M(), t) == kOk);
    CHECK(abi::proxy_close_stream(f.model(), f.M(), 4) == kBA);
  });
}

TEST_CASE("send_local_response: always Ok (no-op without a stream), IMA for bad pointers") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto d = f.in("details"), b = f.in("body"), h = f.in("");
    CHECK(abi::proxy_send_local_response(f.model(), f.M(), 403, d.p, d.n, b.p, b.n, h.p, h.n, 0xFFFFFFFF) == kOk);
    CHECK(abi::proxy_send_local_response(f.model(), f.M(), 403, kOob, 1, b.p, b.n, h.p, h.n, 0) == kIMA);
    CHECK(abi::proxy_send_local_response(f.model(), f.M(), 403, d.p, d.n, kOob, 1, h.p, h.n, 0) == kIMA);
    CHECK(abi::proxy_send_local_response(f.model(), f.M(), 403, d.p, d.n, b.p, b.n, kOob, 1, 0) == kIMA);
  });
  CHECK(f.H().violations().empty());
}

TEST_CASE("a trap fails the VM: HTTP gets 503 wasm_fail_stream (fail-closed), later streams too") {
  Fx f;
  f.start();
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    f.s->trap = "unreachable";
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  CHECK(f.H().failed());
  CHECK(f.H().failure().find("proxy_on_request_headers") != std::string::npos);
  CHECK(f.H().failure().find("unreachable") != std::string::npos);
  REQUIRE(s.localResponse());
  CHECK(s.localResponse()->status == 503);
  CHECK(s.localResponse()->details == "wasm_fail_stream");
  CHECK(s.localResponse()->grpc_status == uint32_t(GrpcStatus::Unavailable));
  CHECK_FALSE(s.requestHeadersForwarded());
  f.s->on.clear();
  const size_t calls = f.trace().size();
  auto& later = f.H().newHttpStream();
  CHECK(later.sendRequestHeaders({{":path", "/"}}) == Action::Pause);
  REQUIRE(later.localResponse());
  CHECK(later.localResponse()->status == 503);
  CHECK(f.trace().size() == calls);  // the failed VM is not called again
  f.H().tick();
  later.finish();
  f.H().shutdown();
  CHECK(f.trace().size() == calls);
}

TEST_CASE("a trap after the response headers went downstream resets the stream") {
  Fx f;
  f.start();
  f.on(Callback::ResponseBody, [&](const std::vector<uint32_t>&) {
    f.s->trap = "boom";
    return 0u;
  });
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  CHECK(s.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(s.sendResponseBody("x", true) == Action::Pause);
  CHECK(s.reset());
  CHECK(s.resetDetails() == "wasm_fail_stream");
  CHECK_FALSE(s.localResponse());
}

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

TEST_CASE_FIXTURE(Fixture, "continue_stream and close_stream act after the callback returns") {
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

TEST_CASE_FIXTURE(Fixture, "send_local_response forces stop; details '_'; gRPC status only 0..16") {
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
