// TCP connections (tcp_connection.h): data, pause, closes, finalization.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("a trap on a TCP connection closes it (fail-closed)") {
  Fx f;
  f.start();
  auto& c = f.H().newConnection();
  f.on(Callback::DownstreamData, [&](const std::vector<uint32_t>&) {
    f.s->trap = "boom";
    return 0u;
  });
  c.sendDownstreamData("abc");
  CHECK(c.closed());
  CHECK(f.H().failed());
  CHECK(c.forwardedDownstream().empty());
}

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
