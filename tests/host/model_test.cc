// The host model's core (model.h): the host functions of the VM and its contexts as the
// plugin calls them through the ABI adapter (logging, the log level and the clock, foreign
// functions, the effective context, proxy_done for parked roots and streams, tick
// periods), the timers they arm, buffer 8 in on_foreign_function, injected faults and
// failing allocations under the adapter, and the cost of the model's timer bookkeeping.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include <map>

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
