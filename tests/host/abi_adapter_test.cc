// The ABI adapter (abi_adapter.h): every host function present once, the restricted
// phases (module start-up, the allocator), pointers and the allocator's failures, the
// host-call record of refused calls.
//
// Cases driven through the fake guest (fake_guest.h) and through the natively linked
// test plugin (model_fixture.h).
#include "fake_guest.h"
#include "model_fixture.h"

TEST_CASE("the adapter has every v0.2.1 host function, once") {
  std::set<std::string> names;
  int n = 0;
  abi::forEachHostFunction<Mem>([&](const char* name, auto) {
    names.insert(name);
    ++n;
  });
  CHECK(n == 39);
  CHECK(names.size() == 39);
  for (const char* name : {"proxy_log", "proxy_get_log_level", "proxy_continue_stream", "proxy_close_stream",
                           "proxy_get_metric", "proxy_call_foreign_function", "proxy_grpc_stream"})
    CHECK(names.count(name) == 1);
  // Functions v0.2.1 hosts do not provide.
  for (const char* name : {"proxy_get_configuration", "proxy_continue_request", "proxy_clear_route_cache"})
    CHECK(names.count(name) == 0);
}

TEST_CASE("start-up: only proxy_log is allowed; any other proxy_* call is a violation and traps") {
  Fx f;
  f.s->has_initialize = true;
  std::vector<std::string> refused, allowed;
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    abi::forEachHostFunction<Mem>([&](const char* name, auto fn) {
      const uint32_t r = callWithZeros(f.model(), f.M(), fn);
      (r == abi::kTrap ? refused : allowed).push_back(name);
    });
    return 0u;
  });
  CHECK(f.H().startVm());  // the guest ignored the traps here; see the next case
  CHECK(allowed == std::vector<std::string>{"proxy_log"});
  CHECK(refused.size() == 38);
  REQUIRE(f.H().violations().size() == 38);
  CHECK(f.H().violations()[0].find("proxy_get_log_level called during module start-up") == 0);
  CHECK(f.H().logs().size() == 1);
  CHECK(f.H().logs()[0].context_id == 0);  // logged under the VM context
}

TEST_CASE("start-up: a restricted call traps, the VM fails and no plugin starts") {
  Fx f;
  f.s->has_initialize = true;
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    CHECK(f.log(2, "static init") == kOk);
    auto name = f.in("requests");
    const Ptr id = f.slot();
    if (abi::proxy_define_metric(f.model(), f.M(), 0, name.p, name.n, id) == abi::kTrap) f.s->trap = "restricted_callback";
    return 0u;
  });
  CHECK_FALSE(f.H().startVm());
  CHECK(f.H().failed());
  CHECK(f.H().failure().find("_initialize") != std::string::npos);
  REQUIRE(f.H().violations().size() == 1);
  CHECK(f.H().violations()[0].find("proxy_define_metric") == 0);
  CHECK(f.start() == 0);
  CHECK(f.trace() == Trace{"_initialize"});
  CHECK(f.H().logs(LogLevel::Info) == std::vector<std::string>{"static init"});
}

TEST_CASE("the host-call record: refused start-up calls, calls inside the allocator, calls outside callbacks") {
  Fx f(HostOptions{"vm", "vm-config"});
  f.s->has_initialize = true;
  f.on(Callback::Initialize, [&](const std::vector<uint32_t>&) {
    CHECK(f.log(2, "static init") == kOk);
    auto name = f.in("requests");
    const Ptr id = f.slot();
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 0, name.p, name.n, id) == abi::kTrap);
    return 0u;
  });
  REQUIRE(f.H().startVm());
  REQUIRE(f.H().hostCalls().size() == 2);
  const HostCall log = f.H().hostCalls()[0], refused = f.H().hostCalls()[1];
  CHECK(log.function == "proxy_log");
  CHECK(log.status == Status::Ok);
  CHECK_FALSE(log.refused);
  CHECK(refused.function == "proxy_define_metric");
  CHECK(refused.refused);  // an engine traps; natively the plugin gets InternalFailure
  CHECK(refused.status == Status::InternalFailure);
  for (const HostCall& c : f.H().hostCalls()) {
    REQUIRE(c.callback.has_value());
    CHECK(*c.callback == Callback::Initialize);
    CHECK(c.context_id == 0);
    CHECK(c.current_context_id == 0);
  }

  // Inside the allocator (during get_buffer_bytes' copy-out): recorded after the call that
  // allocates, as MemoryAllocate; proxy_log allowed, anything else refused.
  const uint32_t root = f.start();
  REQUIRE(root != 0);
  f.H().clearHostCalls();
  int allocations = 0;
  f.s->in_allocator = [&] {
    ++allocations;
    CHECK(f.log(2, "allocating") == kOk);
    CHECK(abi::proxy_done(f.model(), f.M()) == abi::kTrap);
  };
  f.inTick(root, [&] { CHECK(f.getBuffer(6, 0, 100) == kOk); });
  CHECK(allocations == 1);
  const auto& calls = f.H().hostCalls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0].function == "proxy_get_buffer_bytes");
  CHECK(calls[0].status == Status::Ok);
  CHECK(*calls[0].callback == Callback::Tick);
  CHECK(calls[0].current_context_id == root);
  CHECK(calls[1].function == "proxy_log");
  CHECK(*calls[1].callback == Callback::MemoryAllocate);
  CHECK(calls[2].function == "proxy_done");
  CHECK(calls[2].refused);
  CHECK(*calls[2].callback == Callback::MemoryAllocate);
  f.s->in_allocator = nullptr;

  // A call with no callback running (a native test calling the ABI itself).
  f.H().clearHostCalls();
  CHECK(f.log(2, "outside") == kOk);
  REQUIRE(f.H().hostCalls().size() == 1);
  CHECK_FALSE(f.H().hostCalls()[0].callback.has_value());
  CHECK(f.H().hostCalls("proxy_log").size() == 1);
  CHECK(f.H().hostCalls("proxy_done").empty());
}

TEST_CASE("inside the allocator only proxy_log is allowed") {
  Fx f(HostOptions{"vm", "vm-config"});
  const uint32_t root = f.start();
  std::vector<std::string> allowed;
  int refused = 0;
  bool once = false;
  f.s->in_allocator = [&] {
    if (once) return;
    once = true;
    abi::forEachHostFunction<Mem>([&](const char* name, auto fn) {
      if (callWithZeros(f.model(), f.M(), fn) == abi::kTrap)
        ++refused;
      else
        allowed.push_back(name);
    });
  };
  f.inTick(root, [&] {
    std::string out;
    CHECK(f.getBuffer(6, 0, 100, &out) == kOk);  // allocates
    CHECK(out == "vm-config");
  });
  CHECK(allowed == std::vector<std::string>{"proxy_log"});
  CHECK(refused == 38);
  CHECK(f.H().violations().size() == 38);
  CHECK(f.H().violations()[0].find("inside the allocator") != std::string::npos);
}

TEST_CASE("an allocator returning 0 makes the call InvalidMemoryAccess") {
  Fx f(HostOptions{"vm", "vm-config"});
  const uint32_t root = f.start();
  f.s->alloc_fails = true;
  f.inTick(root, [&] {
    CHECK(f.getBuffer(6, 0, 100) == kIMA);
    CHECK(f.getProperty("plugin_vm_id") == kIMA);
    // Nothing to allocate: no allocator call, Ok.
    CHECK(f.getBuffer(6, 0, 0) == kOk);
  });
}

TEST_CASE("pointers: out of bounds is IMA; address 0 with a size is valid wasm memory") {
  Fx f;
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    CHECK(abi::proxy_log(f.model(), f.M(), 2, 0, 4) == kOk);  // reads 4 bytes at address 0
    CHECK(abi::proxy_log(f.model(), f.M(), 2, kOob, 4) == kIMA);
    CHECK(abi::proxy_log(f.model(), f.M(), 2, kMemorySize - 2, 4) == kIMA);  // straddles the end
    CHECK(abi::proxy_log(f.model(), f.M(), 2, kMemorySize - 4, 4) == kOk);   // ends exactly at the end
    CHECK(abi::proxy_log(f.model(), f.M(), 2, kOob, 0) == kIMA);             // even empty, out of bounds
    // Enum ranges are checked before pointers.
    CHECK(abi::proxy_log(f.model(), f.M(), 6, kOob, 4) == kBA);
    CHECK(abi::proxy_get_header_map_pairs(f.model(), f.M(), 8, kOob, kOob) == kBA);
    CHECK(abi::proxy_get_buffer_bytes(f.model(), f.M(), 9, 0, 1, kOob, kOob) == kBA);
    auto name = f.in("m");
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 3, kOob, 1, kOob) == kBA);
    CHECK(abi::proxy_define_metric(f.model(), f.M(), 0, name.p, name.n, kOob) == kIMA);
  });
}

TEST_CASE("a trap in the allocator fails the VM and the call is IMA") {
  Fx f(HostOptions{"vm", "cfg"});
  const uint32_t root = f.start();
  f.inTick(root, [&] {
    f.s->in_allocator = [&] { f.s->trap = "out of memory"; };
    CHECK(f.getBuffer(6, 0, 10) == kIMA);
  });
  CHECK(f.H().failed());
  CHECK(f.H().failure().find("proxy_on_memory_allocate") != std::string::npos);
}

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

TEST_CASE("Callback follows the ABI list's exports: each value names its export and signature") {
  const std::pair<Callback, const char*> expected[] = {
      {Callback::Initialize, "_initialize"},
      {Callback::MemoryAllocate, "proxy_on_memory_allocate"},
      {Callback::ContextCreate, "proxy_on_context_create"},
      {Callback::VmStart, "proxy_on_vm_start"},
      {Callback::Configure, "proxy_on_configure"},
      {Callback::Tick, "proxy_on_tick"},
      {Callback::QueueReady, "proxy_on_queue_ready"},
      {Callback::ForeignFunction, "proxy_on_foreign_function"},
      {Callback::NewConnection, "proxy_on_new_connection"},
      {Callback::DownstreamData, "proxy_on_downstream_data"},
      {Callback::UpstreamData, "proxy_on_upstream_data"},
      {Callback::DownstreamConnectionClose, "proxy_on_downstream_connection_close"},
      {Callback::UpstreamConnectionClose, "proxy_on_upstream_connection_close"},
      {Callback::RequestHeaders, "proxy_on_request_headers"},
      {Callback::RequestBody, "proxy_on_request_body"},
      {Callback::RequestTrailers, "proxy_on_request_trailers"},
      {Callback::ResponseHeaders, "proxy_on_response_headers"},
      {Callback::ResponseBody, "proxy_on_response_body"},
      {Callback::ResponseTrailers, "proxy_on_response_trailers"},
      {Callback::HttpCallResponse, "proxy_on_http_call_response"},
      {Callback::GrpcReceiveInitialMetadata, "proxy_on_grpc_receive_initial_metadata"},
      {Callback::GrpcReceive, "proxy_on_grpc_receive"},
      {Callback::GrpcReceiveTrailingMetadata, "proxy_on_grpc_receive_trailing_metadata"},
      {Callback::GrpcClose, "proxy_on_grpc_close"},
      {Callback::Done, "proxy_on_done"},
      {Callback::Log, "proxy_on_log"},
      {Callback::Delete, "proxy_on_delete"},
  };
  CHECK(sizeof(expected) / sizeof(expected[0]) == size_t(Callback::Count_));
  for (auto& [cb, name] : expected) CHECK(std::string(callbackInfo(cb).export_name) == name);
  // Signatures (v0.2.1): arity and whether an i32 comes back.
  CHECK(callbackInfo(Callback::HttpCallResponse).params == 5);
  CHECK_FALSE(callbackInfo(Callback::HttpCallResponse).has_result);
  CHECK(callbackInfo(Callback::RequestTrailers).params == 2);
  CHECK(callbackInfo(Callback::RequestTrailers).has_result);
  CHECK(callbackInfo(Callback::MemoryAllocate).params == 1);
  CHECK(callbackInfo(Callback::MemoryAllocate).has_result);
  CHECK(callbackInfo(Callback::Done).has_result);
  CHECK_FALSE(callbackInfo(Callback::Log).has_result);
}
