// The host model's core (host.h): roots and their start-up, stream contexts, finalization
// orders, the effective context, logging and the clock, foreign functions, timers.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include <map>
#include <stdexcept>

#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("logging, log level, clock") {
  HostOptions o;
  o.log_level = LogLevel::Info;
  o.start_time_ns = 5'000'000'000ull;
  Fx f(o);
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    CHECK(f.log(1, "debug, dropped") == kOk);
    CHECK(f.log(5, "critical") == kOk);
    CHECK(f.log(6, "off is not a level to log at") == kBA);
    const Ptr lvl = f.slot(), now = f.slot();
    CHECK(abi::proxy_get_log_level(f.model(), f.M(), lvl) == kOk);
    CHECK(f.M().u32(lvl) == 2);
    CHECK(abi::proxy_get_log_level(f.model(), f.M(), kOob) == kIMA);
    CHECK(abi::proxy_get_current_time_nanoseconds(f.model(), f.M(), now) == kOk);
    CHECK(f.M().u64(now) == 5'000'000'000ull);
    CHECK(abi::proxy_get_current_time_nanoseconds(f.model(), f.M(), kOob) == kIMA);
  });
  REQUIRE(f.H().logs().size() == 1);
  CHECK(f.H().logs()[0].message == "critical");
  CHECK(f.H().logs()[0].context_id == root);
  f.H().advanceTime(1500);
  f.inTick(root, [&] {
    const Ptr now = f.slot();
    CHECK(abi::proxy_get_current_time_nanoseconds(f.model(), f.M(), now) == kOk);
    CHECK(f.M().u64(now) == 6'500'000'000ull);
  });
}

TEST_CASE("foreign functions: Ok with the result, NotFound, the function's own status, discarded result") {
  Fx f;
  const uint32_t root = f.start();
  f.H().registerForeignFunction("echo", [](std::string_view args, std::string& out) {
    out = "<" + std::string(args) + ">";
    return Status::Ok;
  });
  f.H().registerForeignFunction("picky", [](std::string_view, std::string&) { return Status::BadArgument; });
  f.inTick(root, [&] {
    auto echo = f.in("echo"), args = f.in("x"), nope = f.in("nope"), picky = f.in("picky");
    const Ptr pp = f.slot(), ps = f.slot();
    CHECK(abi::proxy_call_foreign_function(f.model(), f.M(), echo.p, echo.n, args.p, args.n, pp, ps) == kOk);
    CHECK(f.at(pp, ps) == "<x>");
    CHECK(abi::proxy_call_foreign_function(f.model(), f.M(), nope.p, nope.n, args.p, args.n, pp, ps) == kNF);
    CHECK(abi::proxy_call_foreign_function(f.model(), f.M(), picky.p, picky.n, args.p, args.n, pp, ps) == kBA);
    CHECK(abi::proxy_call_foreign_function(f.model(), f.M(), kOob, 4, args.p, args.n, pp, ps) == kIMA);
    CHECK(abi::proxy_call_foreign_function(f.model(), f.M(), echo.p, echo.n, args.p, args.n, 0, 0) == kOk);  // discarded
  });
}

TEST_CASE("effective context: live ids Ok, unknown ids BadArgument") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  f.inTick(root, [&] {
    CHECK(f.effective(root) == kOk);
    CHECK(f.effective(s.id()) == kOk);
    CHECK(f.effective(0) == kBA);
    CHECK(f.effective(999) == kBA);
  });
}

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

TEST_CASE("finalization, spec option: on_done first; false waits for proxy_done") {
  HostOptions o;
  o.http_finalization = Finalization::Spec;
  Fx f(o);
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}}, true);
  auto& s2 = f.H().newHttpStream();
  s2.sendRequestHeaders({{":path", "/"}}, true);
  auto& c = f.H().newConnection();
  f.trace().clear();
  s.finish();
  const std::string sid = std::to_string(s.id());
  CHECK(f.trace() == Trace{"done " + sid, "log " + sid, "delete " + sid});
  // on_done false: parked until proxy_done, which may come from another callback.
  f.on(Callback::Done, [](const std::vector<uint32_t>&) { return 0u; });
  f.trace().clear();
  s2.finish();
  c.finish();
  const std::string s2id = std::to_string(s2.id()), cid = std::to_string(c.id());
  CHECK(f.trace() == Trace{"done " + s2id, "done " + cid});
  CHECK_FALSE(s2.finished());
  CHECK(f.H().contextAlive(s2.id()));
  f.trace().clear();
  f.inTick(root, [&] {
    CHECK(abi::proxy_done(f.model(), f.M()) == kNF);  // the root is not pending
    CHECK(f.effective(s2.id()) == kOk);
    CHECK(abi::proxy_done(f.model(), f.M()) == kOk);
    CHECK(abi::proxy_done(f.model(), f.M()) == kNF);  // once
    CHECK(f.effective(c.id()) == kOk);
    CHECK(abi::proxy_done(f.model(), f.M()) == kOk);
  });
  // on_log and on_delete right after the callback that called proxy_done.
  CHECK(f.trace() == Trace{"tick " + std::to_string(root), "log " + s2id, "delete " + s2id, "log " + cid,
                           "delete " + cid});
  CHECK(s2.finished());
  CHECK(c.finished());
}

TEST_CASE("a root whose on_done returns false is parked until proxy_done") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  f.on(Callback::Done, [](const std::vector<uint32_t>&) { return 0u; });
  f.inTick(root, [&] { CHECK(abi::proxy_done(f.model(), f.M()) == kNF); });  // nothing pending yet
  f.trace().clear();
  f.H().shutdown();
  const std::string r = std::to_string(root), sid = std::to_string(s.id());
  CHECK(f.trace() == Trace{"log " + sid, "done " + sid, "delete " + sid, "done " + r});  // streams first
  CHECK(f.H().contextAlive(root));
  f.s->on.erase(Callback::Done);
  // Parked roots still get ticks and callout responses.
  f.trace().clear();
  f.inTick(root, [&] {
    CHECK(f.log(2, "still here") == kOk);
    CHECK(f.effective(root) == kOk);
    CHECK(abi::proxy_done(f.model(), f.M()) == kOk);
    CHECK(abi::proxy_done(f.model(), f.M()) == kNF);
  });
  CHECK(f.trace() == Trace{"tick " + r, "delete " + r});  // on_delete right after that callback, no on_log
  CHECK_FALSE(f.H().contextAlive(root));
}

TEST_CASE("proxy_done from a stream of a parked root is NotFound (HOST looks up the context itself)") {
  Fx f;
  const uint32_t root = f.start();
  auto& s = f.H().newHttpStream();
  s.sendRequestHeaders({{":path", "/"}});
  f.on(Callback::Done, [&](const std::vector<uint32_t>& a) { return a[0] == root ? 0u : 1u; });
  f.H().shutdown();  // finishes the stream, parks the root
  REQUIRE(f.H().contextAlive(root));
  f.inTick(root, [&] {
    CHECK(f.effective(s.id()) == kBA);  // the stream was finished by shutdown
  });
  auto& c = f.H().newConnection(root);  // a stream of the parked root
  f.on(Callback::DownstreamData, [&](const std::vector<uint32_t>&) {
    CHECK(abi::proxy_done(f.model(), f.M()) == kNF);
    return 0u;
  });
  c.sendDownstreamData("x");
  CHECK(f.H().contextAlive(root));
}

TEST_CASE("ticks: per root, first after the period, re-armed, 0 cancels, in time order") {
  Fx f;
  const uint32_t a = f.start("a"), b = f.start("b");
  f.inTick(a, [&] { CHECK(abi::proxy_set_tick_period_milliseconds(f.model(), f.M(), 100) == kOk); });
  f.inTick(b, [&] { CHECK(abi::proxy_set_tick_period_milliseconds(f.model(), f.M(), 250) == kOk); });
  CHECK(f.H().tickPeriod(a) == 100);
  CHECK(f.H().tickPeriod(b) == 250);
  f.trace().clear();
  std::vector<uint64_t> at;
  f.on(Callback::Tick, [&](const std::vector<uint32_t>&) {
    at.push_back(f.H().now());
    return 0u;
  });
  const uint64_t t0 = f.H().now();
  f.H().advanceTime(99);
  CHECK(f.trace().empty());
  f.H().advanceTime(401);  // to 500 ms
  const std::string ta = "tick " + std::to_string(a), tb = "tick " + std::to_string(b);
  CHECK(f.trace() == Trace{ta, ta, tb, ta, ta, ta, tb});  // 100 200 250 300 400 500 500
  CHECK(at == std::vector<uint64_t>{t0 + 100'000'000, t0 + 200'000'000, t0 + 250'000'000, t0 + 300'000'000,
                                    t0 + 400'000'000, t0 + 500'000'000, t0 + 500'000'000});
  // From a stream, the period is its root's; 0 cancels.
  auto& c = f.H().newConnection(b);
  f.on(Callback::DownstreamData, [&](const std::vector<uint32_t>&) {
    CHECK(abi::proxy_set_tick_period_milliseconds(f.model(), f.M(), 0) == kOk);
    return 0u;
  });
  c.sendDownstreamData("x");
  CHECK(f.H().tickPeriod(b) == 0);
  CHECK(f.H().tickPeriod(a) == 100);
  f.trace().clear();
  f.H().advanceTime(1000);
  CHECK(f.trace().size() == 10);  // a only
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

TEST_CASE("foreign function arguments: buffer 8 only in on_foreign_function") {
  Fx f;
  const uint32_t root = f.start();
  std::string seen;
  f.on(Callback::ForeignFunction, [&](const std::vector<uint32_t>& a) {
    CHECK(a == std::vector<uint32_t>{root, 7, 4});
    CHECK(f.getBuffer(8, 0, 0xFFFFFFFF, &seen) == kOk);
    CHECK(f.setBuffer(8, 0, 0, "x") == kBA);
    return 0u;
  });
  f.H().callPluginForeignFunction(7, "args");
  CHECK(seen == "args");
  f.inTick(root, [&] { CHECK(f.getBuffer(8, 0, 10) == kNF); });
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

TEST_CASE("fault injection through the adapter: injected statuses skip the call; refused calls stay refused") {
  Fx f(HostOptions{"vm", "vm-config"});
  f.s->has_initialize = true;
  f.H().injectStatus("proxy_get_buffer_bytes", Status::NotFound, host::FaultSchedule::always());
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    CHECK(f.getBuffer(6, 0, 100) == abi::kTrap);  // start-up: refused before any fault
    return 0u;
  });
  REQUIRE(f.H().startVm());
  const uint32_t root = f.start();
  REQUIRE(root != 0);
  int allocations = 0;
  f.s->in_allocator = [&] { ++allocations; };
  f.inTick(root, [&] {
    const Ptr pp = f.slot(), ps = f.slot();
    f.M().writeU32(pp, 0xAAAA);
    CHECK(abi::proxy_get_buffer_bytes(f.model(), f.M(), 6, 0, 100, pp, ps) == kNF);
    CHECK(f.M().u32(pp) == 0xAAAA);  // nothing written: the host did not run the call
  });
  CHECK(allocations == 0);
  f.H().clearFaults();
  f.H().failAllocations(host::FaultSchedule::once());
  f.inTick(root, [&] {
    CHECK(f.getBuffer(6, 0, 100) == kIMA);  // the allocator export failed (it was not called)
    std::string out;
    CHECK(f.getBuffer(6, 0, 100, &out) == kOk);
    CHECK(out == "vm-config");
  });
  CHECK(allocations == 1);
  const auto calls = f.H().hostCalls("proxy_get_buffer_bytes");
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].refused);
  CHECK_FALSE(calls[0].injected);
  CHECK(calls[1].injected);
  CHECK(calls[1].status == Status::NotFound);
  CHECK(calls[2].status == Status::InvalidMemoryAccess);
  CHECK_FALSE(calls[2].injected);
  CHECK(calls[3].status == Status::Ok);
}

TEST_CASE("costs: 20,000 ticks over 100 roots visit one timer entry per tick (plus one per advance)") {
  Fx f;
  std::vector<uint32_t> roots;
  for (int i = 0; i < 100; ++i) roots.push_back(f.start("r" + std::to_string(i)));
  // Root i ticks every 10 + i ms.
  for (size_t i = 0; i < roots.size(); ++i)
    f.inTick(roots[i], [&] { CHECK(abi::proxy_set_tick_period_milliseconds(f.model(), f.M(), uint32_t(10 + i)) == kOk); });
  uint64_t ticks = 0, last_time = 0;
  std::map<uint32_t, uint64_t> per_root;
  bool in_order = true;
  const Hook count = [&](const std::vector<uint32_t>& a) {
    ++ticks;
    ++per_root[a[0]];
    in_order = in_order && f.H().now() >= last_time;
    last_time = f.H().now();
    return 0u;
  };
  f.on(Callback::Tick, count);
  const uint64_t before = f.H().counters().timer_visits;
  for (int step = 0; step < 10; ++step) f.H().advanceTime(1000);  // 10 s in 10 advances
  uint64_t expected = 0;
  for (size_t i = 0; i < roots.size(); ++i) {
    expected += 10000 / (10 + i);
    CHECK(per_root[roots[i]] == 10000 / (10 + i));
  }
  CHECK(ticks == expected);
  CHECK(ticks > 20000);
  CHECK(in_order);
  // A scan of every root per tick would visit 100 entries per tick.
  CHECK(f.H().counters().timer_visits - before <= ticks + 10);
  // Period 0 disarms root 0; the others keep ticking.
  f.inTick(roots[0], [&] { CHECK(abi::proxy_set_tick_period_milliseconds(f.model(), f.M(), 0) == kOk); });
  f.on(Callback::Tick, count);  // inTick() removed it
  per_root.clear();
  f.H().advanceTime(1000);
  CHECK(per_root.count(roots[0]) == 0);
  CHECK(per_root[roots[1]] >= 90);
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
