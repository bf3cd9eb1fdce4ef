// The driver (host.h): the plugin's lifecycle as a test drives it (roots and their
// start-up, failed start-up, the host's defaults for absent callbacks), the stream and
// connection contexts it creates, the finalization orders when a test finishes them,
// callbacks delivered whatever the host's state (deliverCallback), and what the driver
// keeps of finished streams.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include <stdexcept>

#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("root start-up: create(root, 0), vm_start(root, vm config size), configure(root, config size)") {
  Fx f(HostOptions{"vm", "vmconfig"});
  const uint32_t a = f.start("a", "cfg-a");
  const uint32_t b = f.start("a", "config-b");  // same root id, another plugin: another root
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(f.trace() == Trace{"context_create 1 0", "vm_start 1 8", "configure 1 5", "context_create 2 0",
                           "vm_start 2 8", "configure 2 8"});
  CHECK(f.H().roots() == std::vector<uint32_t>{1, 2});
}

TEST_CASE("on_vm_start or on_configure returning 0 fails the plugin") {
  Fx f;
  f.on(Callback::VmStart, [](const std::vector<uint32_t>&) { return 0u; });
  CHECK(f.start() == 0);
  CHECK(f.H().failure().find("failed to start") != std::string::npos);
  CHECK(f.trace() == Trace{"context_create 1 0", "vm_start 1 0"});
  Fx g;
  g.on(Callback::Configure, [](const std::vector<uint32_t>&) { return 0u; });
  CHECK(g.start() == 0);
  CHECK(g.H().failure().find("rejected its configuration") != std::string::npos);
  CHECK_FALSE(g.H().failed());  // the VM itself is fine
}

TEST_CASE("absent callbacks get the host's defaults") {
  Fx f;
  for (Callback cb : {Callback::VmStart, Callback::Configure, Callback::RequestHeaders, Callback::Done,
                      Callback::NewConnection})
    f.s->absent.insert(cb);
  const uint32_t root = f.start();
  CHECK(root != 0);  // vm_start/configure default to true
  auto& s = f.H().newHttpStream();
  CHECK(s.sendRequestHeaders({{":path", "/"}}) == Action::Continue);
  CHECK(f.H().newConnection().newConnectionAction() == Action::Continue);
}

TEST_CASE("stream contexts: HTTP created lazily at request headers, TCP at once, parent = root") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  CHECK(f.trace().size() == 3);  // nothing yet
  CHECK(s.id() == 0);
  s.sendRequestHeaders({{":path", "/"}, {"a", "b"}}, true);
  CHECK(s.id() == 2);
  auto& c = f.H().newConnection();
  CHECK(c.id() == 3);
  CHECK(Trace(f.trace().begin() + 3, f.trace().end()) ==
        Trace{"context_create 2 " + std::to_string(root), "request_headers 2 2 1",
              "context_create 3 " + std::to_string(root), "new_connection 3"});
  // A response never reaches a stream whose request never did.
  auto& never = f.H().newHttpStream();
  CHECK(never.sendResponseHeaders({{":status", "200"}}) == Action::Continue);
  CHECK(f.trace().size() == 7);
  // Finishing it runs Envoy's access-log hook: the context is created for on_log.
  never.finish();
  CHECK(Trace(f.trace().begin() + 7, f.trace().end()) ==
        Trace{"context_create 4 " + std::to_string(root), "log 4", "done 4", "delete 4"});
}

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

TEST_CASE_FIXTURE(Fixture, "finalization (spec option): HTTP done, log, delete") {
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

TEST_CASE("finalization: Envoy's HTTP order, TCP order, roots without on_log") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  auto& c = f.H().newConnection();
  f.on(Callback::Done, [](const std::vector<uint32_t>&) { return 0u; });  // ignored for streams
  f.trace().clear();
  s.finish();
  c.finish();
  const std::string sid = std::to_string(s.id()), cid = std::to_string(c.id());
  CHECK(f.trace() == Trace{"log " + sid, "done " + sid, "delete " + sid, "done " + cid, "log " + cid, "delete " + cid});
  CHECK(s.finished());
  CHECK(c.finished());
  CHECK_FALSE(f.H().contextAlive(s.id()));
  f.trace().clear();
  f.s->on.erase(Callback::Done);
  f.H().shutdown();
  CHECK(f.trace() == Trace{"done " + std::to_string(root), "delete " + std::to_string(root)});
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

TEST_CASE("deliverCallback: callbacks for contexts the host never created or already deleted") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  const uint32_t stream = s.id();
  s.finish();
  f.trace().clear();

  int calls = 0;
  f.on(Callback::RequestHeaders, [&](const std::vector<uint32_t>& a) {
    ++calls;
    // The host has no stream behind the id: maps are unavailable (BadArgument), as for any
    // context without one.
    CHECK(f.getValue(0, ":path") == kBA);
    return a[0] == 999 ? 1u : 0u;
  });
  f.H().clearHostCalls();
  CHECK(f.H().deliverCallback(Callback::RequestHeaders, {999, 0, 1}) == std::optional<uint32_t>(1));
  CHECK(f.H().deliverCallback(Callback::RequestHeaders, {stream, 2, 0}) == std::optional<uint32_t>(0));
  CHECK(f.H().deliverCallback(Callback::Delete, {stream}) == std::optional<uint32_t>(0));
  CHECK(calls == 2);
  CHECK(f.trace() == Trace{"request_headers 999 0 1", "request_headers " + ids(stream, 2) + " 0", "delete " + std::to_string(stream)});
  // The host recorded the calls under the context the plugin was called with.
  const auto gets = f.H().hostCalls("proxy_get_header_map_value");
  REQUIRE(gets.size() == 2);
  CHECK(gets[0].current_context_id == 999);
  CHECK(gets[1].current_context_id == stream);
  CHECK(gets[0].status == Status::BadArgument);
  CHECK(f.H().contextAlive(root));

  CHECK_THROWS_WITH_AS(f.H().deliverCallback(Callback::RequestHeaders, {1, 2}),
                       "deliverCallback: proxy_on_request_headers takes 3 arguments, not 2", std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.H().deliverCallback(Callback::MemoryAllocate, {16}),
                       "deliverCallback: proxy_on_memory_allocate is not a context callback (the host calls it "
                       "itself)",
                       std::invalid_argument);
}

TEST_CASE("costs: finished streams are released; shutdown visits only the live ones") {
  Fx f;
  f.start();
  for (int i = 0; i < 10000; ++i) {
    auto& s = f.H().newHttpStream();
    s.sendRequestHeaders({{":path", "/"}});
    s.finish();
    CHECK(s.finished());  // readable until the next stream is created
    REQUIRE(f.H().streamsHeld() <= 2);
  }
  auto& c = f.H().newConnection();
  c.finish();
  CHECK(f.H().streamsHeld() == 1);
  auto& a = f.H().newHttpStream();
  a.sendRequestHeaders({{":path", "/a"}});
  auto& b = f.H().newConnection();
  CHECK(f.H().streamsHeld() == 2);
  CHECK(a.id() != 0);
  CHECK(b.id() != 0);
  const uint64_t before = f.H().counters().stream_visits;
  f.trace().clear();
  f.H().shutdown();
  CHECK(f.H().counters().stream_visits - before == 2);  // not 10,002
  CHECK(f.trace().size() == 3 + 3 + 2);  // stream: log, done, delete; connection: done, log, delete; root: done, delete
}

TEST_CASE("keep_finished_streams keeps every finished stream and connection readable") {
  HostOptions o;
  o.keep_finished_streams = true;
  Fx f(o);
  f.start();
  std::vector<HttpStream*> streams;
  for (int i = 0; i < 10; ++i) {
    auto& s = f.H().newHttpStream();
    s.sendRequestHeaders({{":path", "/" + std::to_string(i)}});
    s.finish();
    streams.push_back(&s);
  }
  f.H().newConnection().finish();
  CHECK(f.H().streamsHeld() == 11);
  for (int i = 0; i < 10; ++i) {
    CHECK(streams[size_t(i)]->finished());
    CHECK(streams[size_t(i)]->requestHeaders().get(":path") == "/" + std::to_string(i));
  }
}
