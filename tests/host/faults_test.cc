// Fault injection (host.h, "Fault injection"; FaultSchedule in host_calls.h) through the
// probe plugin (tests/wasm_plugins/host_probe.cc), natively and in the engine: the plugin
// logs the status each host call returned, so every case compares what the plugin got with
// what was injected and what the host recorded.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;

namespace {

// The probe's status lines for `function`, in order.
std::vector<std::string> lines(const Host& host, const std::string& function) {
  std::vector<std::string> out;
  for (const std::string& l : host.logs(LogLevel::Info))
    if (l.rfind(function + " -> ", 0) == 0) out.push_back(l.substr(function.size() + 4));
  return out;
}

void probe(Host& host, const std::string& ops) {
  host.newHttpStream().sendRequestHeaders({{":path", "/p"}, {"x-probe", ops}});
}

}  // namespace

TEST_CASE("an injected status applies once: the host does not run that call, then runs the next") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"probe"}) != 0);
  host->injectStatus("proxy_http_call", Status::InternalFailure);
  host->clearHostCalls();
  probe(*host, "call");
  probe(*host, "call");
  // Envoy's dispatch failure, then a real call (token 4: the first HTTP token).
  CHECK(lines(*host, "proxy_http_call") == std::vector<std::string>{"10 0", "0 4"});
  REQUIRE(host->httpCalls().size() == 1);  // the injected call was never dispatched
  const auto calls = host->hostCalls("proxy_http_call");
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].injected);
  CHECK(calls[0].status == Status::InternalFailure);
  CHECK_FALSE(calls[1].injected);
  CHECK(calls[1].status == Status::Ok);
}

TEST_CASE("an injected status applies always, or only to the nth call") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"probe"}) != 0);
  host->injectStatus("proxy_get_property", Status::SerializationFailure, FaultSchedule::always());
  host->setSharedData("k", "v");
  host->injectStatus("proxy_get_shared_data", Status::NotFound, FaultSchedule::nth(2));
  probe(*host, "property,shared");
  probe(*host, "property,shared,shared");
  CHECK(lines(*host, "proxy_get_property") == std::vector<std::string>{"3", "3"});
  CHECK(lines(*host, "proxy_get_shared_data") == std::vector<std::string>{"0 v", "1", "0 v"});
  host->clearFaults();
  probe(*host, "property");
  CHECK(lines(*host, "proxy_get_property").back() == "0 probe");
}

TEST_CASE("a status the function cannot return is refused with a message naming the ones it can") {
  auto host = makeHost();
  CHECK_THROWS_WITH_AS(host->injectStatus("proxy_get_shared_data", Status::CasMismatch),
                       "injectStatus(proxy_get_shared_data, CasMismatch): per the ABI and Envoy, "
                       "proxy_get_shared_data returns only Ok, NotFound, InvalidMemoryAccess, InternalFailure",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(host->injectStatus("proxy_set_tick_period_milliseconds", Status::BadArgument),
                       "injectStatus(proxy_set_tick_period_milliseconds, BadArgument): per the ABI and Envoy, "
                       "proxy_set_tick_period_milliseconds returns only Ok, InternalFailure",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(host->injectStatus("proxy_log", Status::Ok),
                       "injectStatus(proxy_log, Ok): Ok is what the host returns when it runs the call; "
                       "inject a failure (BadArgument, InvalidMemoryAccess, InternalFailure)",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(host->injectStatus("proxy_get_configuration", Status::NotFound),
                       "injectStatus(proxy_get_configuration, NotFound): no host function of ABI v0.2.1 has "
                       "this name",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(host->injectStatus("proxy_log", Status::BadArgument, FaultSchedule::nth(0)),
                       "injectStatus(proxy_log, BadArgument): FaultSchedule::nth counts from 1",
                       std::invalid_argument);
  // Every function of the ABI has a mask with Ok in it.
  for (const char* f : {"proxy_log", "proxy_continue_stream", "proxy_get_property", "proxy_grpc_call"})
    CHECK((Host::statusMask(f) & 1u) == 1u);
  CHECK(Host::statusMask("proxy_continue_stream") == ((1u << 0) | (1u << 2) | (1u << 10) | (1u << 12)));
}

TEST_CASE("a failing allocator makes the call that needed memory InvalidMemoryAccess") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"probe"}) != 0);
  // Allocation 1 copies the x-probe value out, allocation 2 the property's value.
  host->failAllocations(FaultSchedule::nth(2));
  host->clearHostCalls();
  probe(*host, "property");
  CHECK(lines(*host, "proxy_get_property") == std::vector<std::string>{"6"});
  const auto calls = host->hostCalls("proxy_get_property");
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].status == Status::InvalidMemoryAccess);
  CHECK_FALSE(calls[0].injected);  // the host ran the call; the allocator failed it
  CHECK_FALSE(host->failed());
  probe(*host, "property");  // the fault is spent
  CHECK(lines(*host, "proxy_get_property").back() == "0 probe");
}
