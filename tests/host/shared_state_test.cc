// VM-wide state (shared_state.h, shared_state.cc): shared data, shared queues and metrics.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("shared data: cas rules and statuses") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto key = f.in("k"), v1 = f.in("v1"), v2 = f.in("v2"), v3 = f.in("v3");
    const Ptr pp = f.slot(), ps = f.slot(), cas = f.slot();
    CHECK(abi::proxy_get_shared_data(f.model(), f.M(), key.p, key.n, pp, ps, cas) == kNF);
    CHECK(abi::proxy_set_shared_data(f.model(), f.M(), key.p, key.n, v1.p, v1.n, 77) == kOk);  // absent: created whatever the cas
    CHECK(abi::proxy_get_shared_data(f.model(), f.M(), key.p, key.n, pp, ps, cas) == kOk);
    CHECK(f.at(pp, ps) == "v1");
    const uint32_t c1 = f.M().u32(cas);
    CHECK(c1 != 0);
    CHECK(abi::proxy_set_shared_data(f.model(), f.M(), key.p, key.n, v2.p, v2.n, c1 + 1) == st(Status::CasMismatch));
    CHECK(abi::proxy_set_shared_data(f.model(), f.M(), key.p, key.n, v2.p, v2.n, c1) == kOk);
    CHECK(abi::proxy_get_shared_data(f.model(), f.M(), key.p, key.n, pp, ps, cas) == kOk);
    const uint32_t c2 = f.M().u32(cas);
    CHECK(c2 == c1 + 1);  // one counter, +1 per write
    CHECK(abi::proxy_set_shared_data(f.model(), f.M(), key.p, key.n, v3.p, v3.n, c1) == st(Status::CasMismatch));  // stale
    CHECK(abi::proxy_set_shared_data(f.model(), f.M(), key.p, key.n, v3.p, v3.n, 0) == kOk);  // unconditional
    CHECK(abi::proxy_get_shared_data(f.model(), f.M(), key.p, key.n, pp, ps, cas) == kOk);
    CHECK(f.at(pp, ps) == "v3");
    CHECK(f.M().u32(cas) == c2 + 1);
    CHECK(abi::proxy_get_shared_data(f.model(), f.M(), kOob, 1, pp, ps, cas) == kIMA);
    CHECK(abi::proxy_set_shared_data(f.model(), f.M(), key.p, key.n, kOob, 1, 0) == kIMA);
    CHECK(abi::proxy_get_shared_data(f.model(), f.M(), key.p, key.n, pp, ps, kOob) == kIMA);
  });
  // Namespaced by vm_id: the driver sees the key under this host's vm_id.
  REQUIRE(f.H().sharedData("k"));
  CHECK(f.H().sharedData("k")->first == "v3");
}

TEST_CASE("shared queues: register, resolve, enqueue, dequeue statuses") {
  Fx f(HostOptions{"myvm"});
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto q = f.in("q"), other = f.in("other"), vm = f.in("myvm"), none = f.in(""), data = f.in("item");
    const Ptr id = f.slot(), id2 = f.slot(), id3 = f.slot(), pp = f.slot(), ps = f.slot();
    CHECK(abi::proxy_resolve_shared_queue(f.model(), f.M(), none.p, none.n, q.p, q.n, id) == kNF);
    CHECK(abi::proxy_register_shared_queue(f.model(), f.M(), q.p, q.n, id) == kOk);
    CHECK(f.M().u32(id) != 0);
    CHECK(abi::proxy_register_shared_queue(f.model(), f.M(), q.p, q.n, id2) == kOk);  // opens the same queue
    CHECK(f.M().u32(id2) == f.M().u32(id));
    CHECK(abi::proxy_resolve_shared_queue(f.model(), f.M(), none.p, none.n, q.p, q.n, id3) == kOk);  // own vm_id
    CHECK(f.M().u32(id3) == f.M().u32(id));
    CHECK(abi::proxy_resolve_shared_queue(f.model(), f.M(), vm.p, vm.n, q.p, q.n, id3) == kOk);
    CHECK(abi::proxy_resolve_shared_queue(f.model(), f.M(), other.p, other.n, q.p, q.n, id3) == kNF);  // other vm_id
    const uint32_t qid = f.M().u32(id);
    CHECK(abi::proxy_dequeue_shared_queue(f.model(), f.M(), qid, pp, ps) == st(Status::Empty));
    CHECK(abi::proxy_enqueue_shared_queue(f.model(), f.M(), qid, data.p, data.n) == kOk);
    CHECK(abi::proxy_enqueue_shared_queue(f.model(), f.M(), qid + 100, data.p, data.n) == kNF);
    CHECK(abi::proxy_enqueue_shared_queue(f.model(), f.M(), qid, kOob, 1) == kIMA);
    CHECK(abi::proxy_dequeue_shared_queue(f.model(), f.M(), qid + 100, pp, ps) == kNF);
    CHECK(abi::proxy_dequeue_shared_queue(f.model(), f.M(), qid, pp, ps) == kOk);
    CHECK(f.at(pp, ps) == "item");
    CHECK(abi::proxy_dequeue_shared_queue(f.model(), f.M(), qid, pp, ps) == st(Status::Empty));
    CHECK(abi::proxy_register_shared_queue(f.model(), f.M(), kOob, 1, id) == kIMA);
    CHECK(abi::proxy_resolve_shared_queue(f.model(), f.M(), kOob, 1, q.p, q.n, id) == kIMA);
    CHECK(abi::proxy_register_shared_queue(f.model(), f.M(), q.p, q.n, kOob) == kIMA);
  });
}

TEST_CASE("metrics: ids carry the type, statuses per type") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto c = f.in("c"), g = f.in("g"), h = f.in("h");
    const Ptr ic = f.slot(), ig = f.slot(), ih = f.slot(), v = f.slot();
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 0, c.p, c.n, ic) == kOk);
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 1, g.p, g.n, ig) == kOk);
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 2, h.p, h.n, ih) == kOk);
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 3, h.p, h.n, ih) == kBA);
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 0, kOob, 1, ic) == kIMA);
    const uint32_t counter = f.M().u32(ic), gauge = f.M().u32(ig), histogram = f.M().u32(ih);
    CHECK(counter % 4 == 0);
    CHECK(gauge % 4 == 1);
    CHECK(histogram % 4 == 2);
    CHECK(counter >= 4);
    // Counter: increment > 0, record adds, get.
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), counter, 5) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), counter, 0) == kBA);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), counter, -1) == kBA);
    CHECK(abi::proxy_record_metric(f.model(), f.M(), counter, 10) == kOk);
    CHECK(abi::proxy_get_metric(f.model(), f.M(), counter, v) == kOk);
    CHECK(f.M().u64(v) == 15);
    // Gauge: add/subtract, record sets.
    CHECK(abi::proxy_record_metric(f.model(), f.M(), gauge, 10) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), gauge, -3) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), gauge, 0) == kOk);
    CHECK(abi::proxy_get_metric(f.model(), f.M(), gauge, v) == kOk);
    CHECK(f.M().u64(v) == 7);
    // Histogram: record only.
    CHECK(abi::proxy_record_metric(f.model(), f.M(), histogram, 42) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), histogram, 1) == kBA);
    CHECK(abi::proxy_get_metric(f.model(), f.M(), histogram, v) == kBA);
    // Unknown ids: NotFound, except where Envoy checks the type bits first.
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), counter + 400, 1) == kNF);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), gauge + 400, 1) == kNF);
    CHECK(abi::proxy_record_metric(f.model(), f.M(), counter + 400, 1) == kNF);
    CHECK(abi::proxy_record_metric(f.model(), f.M(), histogram + 400, 1) == kNF);
    CHECK(abi::proxy_get_metric(f.model(), f.M(), counter + 400, v) == kNF);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), histogram + 400, 1) == kBA);
    CHECK(abi::proxy_get_metric(f.model(), f.M(), histogram + 400, v) == kBA);
    CHECK(abi::proxy_get_metric(f.model(), f.M(), counter, kOob) == kIMA);
  });
  CHECK(f.H().counter("c") == 15u);
  CHECK(f.H().gauge("g") == 7);
  CHECK(f.H().histogram("h") == std::vector<uint64_t>{42});
}

TEST_CASE("counters and gauges wrap at 2^64 as Envoy's uint64 stats do, whatever the deltas") {
  // Found by the abi fuzzer: two large increments overflowed the model's int64 (UB).
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto c = f.in("c"), g = f.in("g");
    const Ptr ic = f.slot(), ig = f.slot();
    REQUIRE(abi::proxy_define_metric(f.model(), f.M(), 0, c.p, c.n, ic) == kOk);
    REQUIRE(abi::proxy_define_metric(f.model(), f.M(), 1, g.p, g.n, ig) == kOk);
    const int64_t big = INT64_MAX - 5;
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), f.M().u32(ic), big) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), f.M().u32(ic), big) == kOk);
    CHECK(abi::proxy_record_metric(f.model(), f.M(), f.M().u32(ic), UINT64_MAX) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), f.M().u32(ig), big) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), f.M().u32(ig), big) == kOk);
    CHECK(abi::proxy_increment_metric(f.model(), f.M(), f.M().u32(ig), INT64_MIN) == kOk);
  });
  CHECK(f.H().counter("c") == uint64_t(2) * uint64_t(INT64_MAX - 5) - 1);  // modulo 2^64
  CHECK(f.H().gauge("g") == int64_t(uint64_t(2) * uint64_t(INT64_MAX - 5) + uint64_t(INT64_MIN)));
}

TEST_CASE("histograms keep a bounded number of samples; the summary covers every one") {
  // A long run records a sample per request: the host keeps the most recent
  // histogram_samples_kept (default 1024) and a count/sum/min/max of all of them, so its
  // memory per histogram is bounded whatever the number of requests.
  CHECK(HostOptions{}.histogram_samples_kept == 1024);
  for (const size_t kept : {size_t(1), size_t(8), size_t(1024)}) {
    CAPTURE(kept);
    HostOptions options;
    options.histogram_samples_kept = kept;
    Fx f(options);
    const uint32_t root = f.start();
    const uint64_t n = 5000;
    f.inTick(root, [&] {
      auto h = f.in("h");
      const Ptr ih = f.slot();
      REQUIRE(abi::proxy_define_metric(f.model(), f.M(), 2, h.p, h.n, ih) == kOk);
      const uint32_t id = f.M().u32(ih);
      // Samples 1..n in a shuffled order (the extremes are neither first nor last).
      for (uint64_t i = 0; i < n; ++i) CHECK(abi::proxy_record_metric(f.model(), f.M(), id, 1 + (i * 7919 + 1234) % n) == kOk);
    });
    const auto samples = f.H().histogram("h");
    REQUIRE(samples);
    REQUIRE(samples->size() == kept);  // the bound
    for (size_t j = 0; j < kept; ++j) CHECK((*samples)[j] == 1 + ((n - kept + j) * 7919 + 1234) % n);  // the last ones, in order
    const auto summary = f.H().histogramSummary("h");
    REQUIRE(summary);
    CHECK(summary->count == n);
    CHECK(summary->sum == n * (n + 1) / 2);
    CHECK(summary->min == 1);
    CHECK(summary->max == n);
    const auto all = f.H().metrics();
    CHECK(all.at("h").samples == *samples);
    CHECK(all.at("h").summary == *summary);
  }
  // Below the bound every sample is kept, in order; an empty histogram has an empty summary.
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    auto h = f.in("h"), e = f.in("empty");
    const Ptr ih = f.slot(), ie = f.slot();
    REQUIRE(abi::proxy_define_metric(f.model(), f.M(), 2, h.p, h.n, ih) == kOk);
    REQUIRE(abi::proxy_define_metric(f.model(), f.M(), 2, e.p, e.n, ie) == kOk);
    for (uint64_t v : std::initializer_list<uint64_t>{5, 3, UINT64_MAX, 9}) CHECK(abi::proxy_record_metric(f.model(), f.M(), f.M().u32(ih), v) == kOk);
  });
  CHECK(f.H().histogram("h") == std::vector<uint64_t>{5, 3, UINT64_MAX, 9});
  CHECK(f.H().histogramSummary("h") == Host::HistogramSummary{4, UINT64_MAX, 3, UINT64_MAX});  // the sum saturates
  CHECK(f.H().histogram("empty") == std::vector<uint64_t>{});
  CHECK(f.H().histogramSummary("empty") == Host::HistogramSummary{});
  CHECK_FALSE(f.H().histogramSummary("nope"));
}

TEST_CASE("queues: one on_queue_ready(root, id) per enqueue, after the callback; register moves the target") {
  Fx f;
  const uint32_t a = f.start("a"), b = f.start("b");
  uint32_t qid = 0;
  auto reg = [&](uint32_t root) {
    f.inTick(root, [&] {
      auto q = f.in("q");
      const Ptr id = f.slot();
      CHECK(abi::proxy_register_shared_queue(f.model(), f.M(), q.p, q.n, id) == kOk);
      qid = f.M().u32(id);
    });
  };
  reg(a);
  f.trace().clear();
  f.inTick(b, [&] {
    auto d = f.in("x");
    CHECK(abi::proxy_enqueue_shared_queue(f.model(), f.M(), qid, d.p, d.n) == kOk);
    CHECK(abi::proxy_enqueue_shared_queue(f.model(), f.M(), qid, d.p, d.n) == kOk);
    f.trace().push_back("tick returns");
  });
  const std::string q = std::to_string(qid);
  CHECK(f.trace() == Trace{"tick " + std::to_string(b), "tick returns", "queue_ready " + std::to_string(a) + " " + q,
                           "queue_ready " + std::to_string(a) + " " + q});
  reg(b);  // the last registrant is notified
  f.trace().clear();
  CHECK(f.H().enqueue(qid, "y"));
  CHECK(f.trace() == Trace{"queue_ready " + std::to_string(b) + " " + q});
  CHECK(f.H().queueSize(qid) == 3);
  CHECK_FALSE(f.H().enqueue(qid + 50, "z"));
}

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
