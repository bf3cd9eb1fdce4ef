// Callouts (callouts.h): proxy_http_call and gRPC dispatch, statuses, delivery to the
// root, deferred completions, proxy_get_status.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("get_status: Ok on a root with no callout; IMA") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    uint32_t code = 99;
    std::string message = "x";
    CHECK(f.status(&code, &message) == kOk);
    CHECK(code == 0);
    CHECK(message.empty());
    CHECK(abi::proxy_get_status(f.model(), f.M(), kOob, f.slot(), f.slot()) == kIMA);
  });
}

TEST_CASE("http_call: validation, token kinds, delivery to the root with maps 6/7 and buffer 4") {
  HostOptions o;
  o.clusters = std::set<std::string>{"auth"};
  Fx f(o);
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  uint32_t token = 0;
  const HeaderList good{{":method", "POST"}, {":path", "/check"}, {":authority", "auth.local"}};
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    CHECK(f.httpCall("nowhere", good, "", 0, nullptr) == kBA);  // unknown cluster
    CHECK(f.httpCall("auth", HeaderList{{":path", "/"}, {":authority", "a"}}, "", 0, nullptr) == kBA);
    CHECK(f.httpCall("auth", HeaderList{{":method", "GET"}, {":authority", "a"}}, "", 0, nullptr) == kBA);
    CHECK(f.httpCall("auth", HeaderList{{":method", "GET"}, {":path", "/"}}, "", 0, nullptr) == kBA);
    CHECK(f.httpCall("auth", good, "", 0x80000000u, nullptr) == kBA);  // timeout > INT32_MAX
    auto u = f.in("auth"), h = f.in(good.serialize()), e = f.in("");
    CHECK(abi::proxy_http_call(f.model(), f.M(), kOob, 4, h.p, h.n, e.p, e.n, e.p, e.n, 0, f.slot()) == kIMA);
    CHECK(abi::proxy_http_call(f.model(), f.M(), u.p, u.n, h.p, h.n, e.p, e.n, e.p, e.n, 0, kOob) == kIMA);  // nothing sent
    CHECK(f.httpCall("auth", good, "payload", 5000, &token) == kOk);
    return 1u;
  });
  s.sendRequestHeaders({{":path", "/"}});
  REQUIRE(f.H().httpCalls().size() == 1);  // only the valid one was dispatched
  const HttpCallRecord& rec = f.H().httpCalls()[0];
  CHECK(rec.token == token);
  CHECK(token % 4 == 0);
  CHECK(token >= 4);
  CHECK(rec.root_id == root);  // runs on the root of the calling stream
  CHECK(rec.upstream == "auth");
  CHECK(rec.headers.get("content-length") == std::optional<std::string_view>("7"));
  CHECK(rec.body == "payload");
  CHECK(rec.timeout_ms == 5000);
  CHECK(f.H().pendingHttpCalls() == std::vector<uint32_t>{token});

  std::string header, trailer, body, pairs;
  f.on(Callback::HttpCallResponse, [&](const std::vector<uint32_t>& a) {
    CHECK(a == std::vector<uint32_t>{root, token, 2, 4, 1});
    CHECK(f.getValue(6, ":status", &header) == kOk);
    CHECK(f.getValue(7, "grpc-status", &trailer) == kOk);
    CHECK(f.getBuffer(4, 0, 0xFFFFFFFF, &body) == kOk);
    CHECK(f.getPairs(6, &pairs) == kOk);
    // Read-only maps and buffer; no size for maps 4-7.
    CHECK(f.add(6, "x", "y") == kBA);
    CHECK(f.replace(7, "x", "y") == kBA);
    CHECK(f.remove(6, ":status") == kBA);
    CHECK(f.setPairs(6, "") == kBA);
    CHECK(f.size(6) == kBA);
    CHECK(f.setBuffer(4, 0, 0, "x") == kBA);
    // The root has no stream maps.
    CHECK(f.getValue(0, ":path") == kBA);
    return 0u;
  });
  CHECK(f.H().respondHttpCall(token, {{":status", "200"}, {"X-A", "b"}}, "okay", {{"grpc-status", "0"}}));
  CHECK(header == "200");
  CHECK(trailer == "0");
  CHECK(body == "okay");
  CHECK(pairs == HeaderList{{":status", "200"}, {"x-a", "b"}}.serialize());
  CHECK_FALSE(f.H().respondHttpCall(token, {{":status", "200"}}));  // delivered once
  // Outside the callback: maps 6/7 BA, buffer 4 NotFound.
  f.inTick(root, [&] {
    CHECK(f.getValue(6, ":status") == kBA);
    CHECK(f.getPairs(6, &pairs) == kOk);
    CHECK(pairs.empty());
    CHECK(f.getBuffer(4, 0, 10) == kNF);
  });
}

TEST_CASE("http_call failure: no headers, get_status BrokenConnection, message cleared after") {
  Fx f;
  const uint32_t root = f.start();
  uint32_t token = 0;
  f.inTick(root, [&] {
    CHECK(f.httpCall("c", {{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &token) == kOk);
  });
  uint32_t code = 0;
  std::string message;
  f.on(Callback::HttpCallResponse, [&](const std::vector<uint32_t>& a) {
    CHECK(a == std::vector<uint32_t>{root, token, 0, 0, 0});
    CHECK(f.status(&code, &message) == kOk);
    CHECK(f.getValue(6, ":status") == kBA);
    CHECK(f.getBuffer(4, 0, 10) == kNF);
    return 0u;
  });
  CHECK(f.H().failHttpCall(token));
  CHECK(code == uint32_t(Status::BrokenConnection));
  CHECK(message == "reset");
  f.inTick(root, [&] {
    CHECK(f.status(&code, &message) == kOk);
    CHECK(code == uint32_t(Status::BrokenConnection));  // Envoy keeps the code
    CHECK(message.empty());                            // and clears the message
  });
  CHECK_FALSE(f.H().failHttpCall(token));
  CHECK_FALSE(f.H().failHttpCall(12345));
}

TEST_CASE("callout completions during a callback are delivered after it, never re-entrantly") {
  Fx f;
  const uint32_t root = f.start();
  uint32_t token = 0;
  f.inTick(root, [&] {
    CHECK(f.httpCall("c", {{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &token) == kOk);
  });
  f.trace().clear();
  f.inTick(root, [&] {
    CHECK(f.H().respondHttpCall(token, {{":status", "204"}}));  // the test plays the network
    f.trace().push_back("tick returns");
  });
  const std::string r = std::to_string(root);
  CHECK(f.trace() == Trace{"tick " + r, "tick returns", "http_call_response " + r + " " + std::to_string(token) + " 1 0 0"});
}

TEST_CASE("gRPC: call and stream tokens, statuses, events to the root") {
  HostOptions o;
  o.clusters = std::set<std::string>{"grpc"};
  Fx f(o);
  const uint32_t root = f.start();
  uint32_t call = 0, stream = 0, http = 0;
  f.inTick(root, [&] {
    CHECK(f.grpcCall("nowhere", nullptr) == st(Status::ParseFailure));
    CHECK(f.grpcStream("nowhere", nullptr) == st(Status::ParseFailure));
    auto u = f.in("grpc"), e = f.in("");
    CHECK(abi::proxy_grpc_call(f.model(), f.M(), kOob, 4, e.p, e.n, e.p, e.n, e.p, e.n, e.p, e.n, 0, f.slot()) == kIMA);
    CHECK(abi::proxy_grpc_stream(f.model(), f.M(), u.p, u.n, kOob, 1, e.p, e.n, e.p, e.n, f.slot()) == kIMA);
    CHECK(f.grpcCall("grpc", &call) == kOk);
    CHECK(f.grpcStream("grpc", &stream) == kOk);
    CHECK(f.httpCall("grpc", {{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &http) == kOk);
    CHECK(call % 4 == 1);
    CHECK(stream % 4 == 2);
    CHECK(http % 4 == 0);
    auto m = f.in("msg");
    CHECK(abi::proxy_grpc_send(f.model(), f.M(), call, m.p, m.n, 0) == kBA);    // not a stream
    CHECK(abi::proxy_grpc_send(f.model(), f.M(), http, m.p, m.n, 0) == kBA);
    CHECK(abi::proxy_grpc_send(f.model(), f.M(), stream + 400, m.p, m.n, 0) == kNF);
    CHECK(abi::proxy_grpc_send(f.model(), f.M(), stream, kOob, 1, 0) == kIMA);
    CHECK(abi::proxy_grpc_send(f.model(), f.M(), stream, m.p, m.n, 0) == kOk);
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), http) == kBA);  // neither a call nor a stream
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), http) == kBA);
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), 3) == kBA);
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), call + 400) == kNF);
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), stream + 400) == kNF);
  });
  REQUIRE(f.H().grpcCall(call));
  CHECK(f.H().grpcCall(call)->initial_metadata == HeaderList{{"x-md", "1"}});
  CHECK(f.H().grpcCall(call)->message == "req");
  CHECK(f.H().grpcCall(call)->timeout_ms == 1000);
  CHECK(f.H().grpcCall(stream)->sent == std::vector<std::string>{"msg"});

  // Unary reply: on_grpc_receive(root, token, size) with buffer 5.
  std::string msg;
  f.on(Callback::GrpcReceive, [&](const std::vector<uint32_t>& a) {
    CHECK(a[0] == root);
    CHECK(f.getBuffer(5, 0, 0xFFFFFFFF, &msg) == kOk);
    return 0u;
  });
  f.trace().clear();
  CHECK(f.H().respondGrpcCall(call, "reply"));
  CHECK(msg == "reply");
  CHECK(f.trace() == Trace{"grpc_receive " + std::to_string(root) + " " + std::to_string(call) + " 5"});
  CHECK_FALSE(f.H().grpcClose(call, GrpcStatus::Ok));  // the reply ended the call

  // Stream events: initial metadata (map 4), message (buffer 5), trailing (map 5), close.
  std::string md, tmd;
  uint32_t code = 0;
  std::string text;
  f.on(Callback::GrpcReceiveInitialMetadata, [&](const std::vector<uint32_t>&) {
    CHECK(f.getValue(4, "k", &md) == kOk);
    CHECK(f.add(4, "x", "y") == kBA);
    CHECK(f.size(4) == kBA);
    CHECK(f.getValue(5, "k") == kBA);
    return 0u;
  });
  f.on(Callback::GrpcReceiveTrailingMetadata, [&](const std::vector<uint32_t>&) {
    CHECK(f.getValue(5, "t", &tmd) == kOk);
    CHECK(f.remove(5, "t") == kBA);
    return 0u;
  });
  f.on(Callback::GrpcClose, [&](const std::vector<uint32_t>& a) {
    CHECK(a[2] == uint32_t(GrpcStatus::Unavailable));
    CHECK(f.status(&code, &text) == kOk);
    return 0u;
  });
  f.trace().clear();
  CHECK(f.H().grpcInitialMetadata(stream, {{"k", "v"}}));
  CHECK(f.H().grpcMessage(stream, "m1"));
  CHECK(f.H().grpcTrailingMetadata(stream, {{"t", "u"}}));
  CHECK(f.H().grpcClose(stream, GrpcStatus::Unavailable, "upstream gone"));
  const std::string r = std::to_string(root), t = std::to_string(stream);
  CHECK(f.trace() == Trace{"grpc_receive_initial_metadata " + r + " " + t + " 1", "grpc_receive " + r + " " + t + " 2",
                           "grpc_receive_trailing_metadata " + r + " " + t + " 1",
                           "grpc_close " + r + " " + t + " 14"});
  CHECK(md == "v");
  CHECK(tmd == "u");
  CHECK(msg == "m1");
  CHECK(code == 14);
  CHECK(text == "upstream gone");
  CHECK_FALSE(f.H().grpcMessage(stream, "late"));  // no more events
  // Envoy keeps a stream the plugin has not closed: its close still succeeds, once.
  f.inTick(root, [&] {
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), stream) == kOk);
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), stream) == kNF);
    uint32_t c = 0;
    std::string m;
    CHECK(f.status(&c, &m) == kOk);
    CHECK(c == 14);      // the code stays
    CHECK(m.empty());    // the message was cleared after on_grpc_close
  });
}

TEST_CASE("gRPC cancel and close: no further events; a unary close cancels") {
  Fx f;
  const uint32_t root = f.start();
  uint32_t call = 0, call2 = 0, stream = 0;
  f.inTick(root, [&] {
    CHECK(f.grpcCall("c", &call) == kOk);
    CHECK(f.grpcCall("c", &call2) == kOk);
    CHECK(f.grpcStream("c", &stream) == kOk);
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), call) == kOk);
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), call) == kNF);
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), call2) == kOk);  // unary: close = cancel
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), call2) == kNF);
    CHECK(abi::proxy_grpc_close(f.model(), f.M(), stream) == kOk);  // half-close: the remote may answer
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), stream) == kOk);
    CHECK(abi::proxy_grpc_cancel(f.model(), f.M(), stream) == kNF);
  });
  CHECK(f.H().grpcCall(call)->cancelled);
  CHECK(f.H().grpcCall(stream)->local_closed);
  f.trace().clear();
  CHECK_FALSE(f.H().respondGrpcCall(call, "late"));
  CHECK_FALSE(f.H().grpcClose(call2, GrpcStatus::Ok));
  CHECK_FALSE(f.H().grpcMessage(stream, "late"));
  CHECK(f.trace().empty());
}

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

TEST_CASE_FIXTURE(Fixture, "gRPC: send on a call token BA, unknown token NF, close and cancel") {
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

TEST_CASE("late responses: a callout outlives the stream that issued it; its root still gets the events") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  uint32_t http = 0, grpc = 0;
  int issued = 0;
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>&) {
    ++issued;
    CHECK(f.httpCall("c", HeaderList{{":method", "GET"}, {":path", "/"}, {":authority", "a"}}, "", 0, &http) == kOk);
    CHECK(f.grpcCall("c", &grpc) == kOk);
    return 1u;  // paused, waiting for the callouts
  });
  s.sendRequestHeaders({{":path", "/"}});
  REQUIRE(issued == 1);
  REQUIRE(f.H().httpCalls().size() == 1);
  CHECK(f.H().httpCalls()[0].context_id == s.id());  // issued by the stream...
  CHECK(f.H().httpCalls()[0].root_id == root);       // ...owned by its root
  REQUIRE(f.H().grpcCalls().size() == 1);
  CHECK(f.H().grpcCalls()[0].context_id == s.id());
  const uint32_t stream = s.id();
  s.finish();  // the client went away: the stream is deleted, the callouts are not
  CHECK_FALSE(f.H().contextAlive(stream));
  f.trace().clear();

  int responses = 0;
  f.on(Callback::HttpCallResponse, [&](const std::vector<uint32_t>& a) {
    ++responses;
    CHECK(a[0] == root);
    CHECK(f.effective(stream) == kBA);  // the stream the plugin may try to resume is gone
    return 0u;
  });
  CHECK(f.H().respondHttpCall(http, {{":status", "200"}}));
  CHECK(f.H().grpcClose(grpc, proxy_wasm::GrpcStatus::Ok));
  CHECK(responses == 1);
  CHECK(f.trace() == Trace{"http_call_response " + ids(root, http) + " 1 0 0", "grpc_close " + ids(root, grpc) + " 0"});
}

TEST_CASE("costs: 8,000 outstanding callouts answered in any order take one token lookup each") {
  constexpr uint32_t kCalls = 8000;
  for (int order = 0; order < 3; ++order) {  // oldest first, newest first, interleaved
    HostOptions o;
    o.keep_callout_records = order != 2;  // records dropped as calls complete: same costs
    Fx f(o);
    const uint32_t root = f.start();
    std::vector<uint32_t> tokens;
    f.inTick(root, [&] {
      const HeaderList get{{":method", "GET"}, {":path", "/"}, {":authority", "a"}};
      for (uint32_t i = 0; i < kCalls; ++i) {
        uint32_t token = 0;
        REQUIRE(f.httpCall("c", get, "", 0, &token) == kOk);
        tokens.push_back(token);
      }
    });
    REQUIRE(tokens.size() == kCalls);
    if (order == 1) std::reverse(tokens.begin(), tokens.end());
    if (order == 2) {
      std::vector<uint32_t> mixed;
      for (size_t i = 0; i < kCalls / 2; ++i) {
        mixed.push_back(tokens[i]);
        mixed.push_back(tokens[kCalls - 1 - i]);
      }
      tokens = mixed;
    }
    uint32_t delivered = 0;
    f.on(Callback::HttpCallResponse, [&](const std::vector<uint32_t>&) {
      ++delivered;
      return 0u;
    });
    const uint64_t before = f.H().counters().token_lookups;
    for (uint32_t t : tokens) REQUIRE(f.H().respondHttpCall(t, {{":status", "200"}}));
    CHECK(delivered == kCalls);
    // A scan per answer would examine ~n/2 records each (32 million here).
    CHECK(f.H().counters().token_lookups - before <= 2 * kCalls);
    CHECK(f.H().pendingHttpCalls().empty());
    CHECK(f.H().httpCalls().size() == (o.keep_callout_records ? kCalls : 0));
  }
}

TEST_CASE("costs: gRPC events and calls by token are one lookup each; complete records can go") {
  HostOptions o;
  o.keep_callout_records = false;
  Fx f(o);
  const uint32_t root = f.start();
  std::vector<uint32_t> calls, streams;
  f.inTick(root, [&] {
    for (int i = 0; i < 1000; ++i) {
      uint32_t t = 0;
      REQUIRE(f.grpcCall("c", &t) == kOk);
      calls.push_back(t);
      REQUIRE(f.grpcStream("c", &t) == kOk);
      streams.push_back(t);
    }
  });
  int events = 0;
  for (Callback cb : {Callback::GrpcReceive, Callback::GrpcClose})
    f.on(cb, [&](const std::vector<uint32_t>&) {
      ++events;
      return 0u;
    });
  const uint64_t before = f.H().counters().token_lookups;
  for (uint32_t t : calls) REQUIRE(f.H().respondGrpcCall(t, "reply"));
  for (uint32_t t : streams) {
    REQUIRE(f.H().grpcMessage(t, "m"));
    REQUIRE(f.H().grpcClose(t, proxy_wasm::GrpcStatus::Ok));
  }
  CHECK(events == 3000);
  CHECK(f.H().counters().token_lookups - before <= 3 * 3000);
  // Unary calls are complete; streams wait for the plugin's close (Envoy keeps them).
  CHECK(f.H().grpcCalls().size() == streams.size());
  f.inTick(root, [&] {
    for (uint32_t t : streams) CHECK(abi::proxy_grpc_close(f.model(), f.M(), t) == kOk);
  });
  CHECK(f.H().grpcCalls().empty());
}
