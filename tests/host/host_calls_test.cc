// The host-call record (host_calls.h, read through Host::hostCalls()), through the probe
// plugin (tests/wasm_plugins/host_probe.cc). The same cases run natively and against the
// probe's .wasm in the engine: both guests call the host through abi_adapter.h, so the
// record must come out the same.
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <algorithm>
#include <string>
#include <vector>

using namespace proxy_wasm::testing;
using proxy_wasm::Action;
using proxy_wasm::LogLevel;
using proxy_wasm::Status;

namespace {

std::vector<std::string> infoLogs(const Host& host) { return host.logs(LogLevel::Info); }

bool logged(const Host& host, const std::string& line) {
  const auto logs = infoLogs(host);
  return std::find(logs.begin(), logs.end(), line) != logs.end();
}

}  // namespace

TEST_CASE("every host call is recorded: function, effective and current context, callback, status") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"probe"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream();
  host->clearHostCalls();
  CHECK(stream.sendRequestHeaders({{":path", "/a"}, {"x-probe", "get,property"}}) == Action::Continue);

  // What the plugin got back (it logs each status).
  CHECK(logged(*host, "proxy_get_header_map_value -> 0 /a"));
  CHECK(logged(*host, "proxy_get_property -> 0 probe"));

  const auto gets = host->hostCalls("proxy_get_header_map_value");
  REQUIRE(gets.size() == 2);  // x-probe, then :path
  for (const HostCall& c : gets) {
    CHECK(c.function == "proxy_get_header_map_value");
    CHECK(c.context_id == stream.id());
    CHECK(c.current_context_id == stream.id());
    REQUIRE(c.callback.has_value());
    CHECK(*c.callback == Callback::RequestHeaders);
    CHECK(c.status == Status::Ok);
    CHECK_FALSE(c.refused);
  }
  const auto props = host->hostCalls("proxy_get_property");
  REQUIRE(props.size() == 1);
  CHECK(props[0].status == Status::Ok);
  CHECK(props[0].context_id == stream.id());

  // The unfiltered record holds the same calls, in call order, and the plugin's proxy_log
  // calls too (one per logged status).
  const auto& all = host->hostCalls();
  std::vector<std::string> names;
  for (const HostCall& c : all)
    if (c.function != "proxy_log") names.push_back(c.function);
  CHECK(names == std::vector<std::string>{"proxy_get_header_map_value", "proxy_get_header_map_value",
                                          "proxy_get_property"});
  CHECK(host->hostCalls("proxy_log").size() == 2);
}

TEST_CASE("failing calls are recorded with the status the plugin got (Envoy's statuses)") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"probe"}) != 0);
  auto& stream = host->newHttpStream();
  host->clearHostCalls();
  // No :path: NotFound. No shared key: NotFound. Envoy answers both this way.
  stream.sendRequestHeaders({{"x-probe", "get,shared"}});
  CHECK(logged(*host, "proxy_get_header_map_value -> 1"));
  CHECK(logged(*host, "proxy_get_shared_data -> 1"));
  const auto gets = host->hostCalls("proxy_get_header_map_value");
  REQUIRE(gets.size() == 2);
  CHECK(gets[0].status == Status::Ok);        // x-probe
  CHECK(gets[1].status == Status::NotFound);  // :path
  const auto shared = host->hostCalls("proxy_get_shared_data");
  REQUIRE(shared.size() == 1);
  CHECK(shared[0].status == Status::NotFound);
}

TEST_CASE("a tick acting on a stream: the effective context is the stream, the current one the root") {
  auto host = makeHost();
  const uint32_t root = host->startPlugin({"probe"});
  REQUIRE(root != 0);
  auto& stream = host->newHttpStream();
  stream.sendRequestHeaders({{":path", "/a"}, {"x-probe", "remember"}});
  host->clearHostCalls();
  host->tick(root);

  const auto set = host->hostCalls("proxy_set_effective_context");
  REQUIRE(set.size() == 1);
  CHECK(set[0].status == Status::Ok);
  CHECK(set[0].context_id == stream.id());
  CHECK(set[0].current_context_id == root);
  REQUIRE(set[0].callback.has_value());
  CHECK(*set[0].callback == Callback::Tick);

  // The request headers continued: Envoy no longer has the map (BadArgument).
  const auto gets = host->hostCalls("proxy_get_header_map_value");
  REQUIRE(gets.size() == 1);
  CHECK(gets[0].context_id == stream.id());
  CHECK(gets[0].current_context_id == root);
  CHECK(gets[0].status == Status::BadArgument);
  CHECK(logged(*host, "proxy_get_header_map_value -> 2"));

  // Once the stream is gone, set_effective_context on its id is BadArgument.
  stream.finish();
  host->clearHostCalls();
  host->tick(root);
  const auto late = host->hostCalls("proxy_set_effective_context");
  REQUIRE(late.size() == 1);
  CHECK(late[0].status == Status::BadArgument);
  CHECK(late[0].context_id == root);  // nothing changed: the host acts on the current context
}

TEST_CASE("the record can be cleared, and turned off") {
  auto host = makeHost();
  REQUIRE(host->startPlugin({"probe"}) != 0);
  host->newHttpStream().sendRequestHeaders({{":path", "/"}, {"x-probe", "log"}});
  CHECK(host->hostCalls("proxy_log").size() == 2);  // "probe", then the logged status
  host->clearHostCalls();
  CHECK(host->hostCalls().empty());
  host->newHttpStream().sendRequestHeaders({{":path", "/"}, {"x-probe", "log"}});
  CHECK(host->hostCalls("proxy_log").size() == 2);

  host.reset();  // natively the plugin is one instance: one host at a time
  HostOptions quiet;
  quiet.record_host_calls = false;
  auto off = makeHost(quiet);
  REQUIRE(off->startPlugin({"probe"}) != 0);
  off->newHttpStream().sendRequestHeaders({{":path", "/"}, {"x-probe", "log,get"}});
  CHECK(logged(*off, "proxy_log -> 0"));  // the calls ran
  CHECK(off->hostCalls().empty());
}
