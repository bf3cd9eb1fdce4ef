// SDK test cases that run natively and in the engine (docs/testing.md, "The SDK's own
// suites"). A suite file is compiled twice:
//   - into the plugin (tests/sdk/sdk_case_plugin.cc, with SDK_CASE_PLUGIN defined; built
//     natively and as sdk_cases.wasm), where each PLUGIN_CASE("name") { ... } sets the
//     handlers (`on.request_headers = ...`) the plugin's contexts run for that case;
//   - into the test executable (SDK_CASE_HOST), where TEST_CASE_FIXTURE(sdk_case::Fixture,
//     "name") drives the host and asserts.
// Each pair sits side by side:
//
//   #if SDK_CASE_PLUGIN
//   PLUGIN_CASE("adds a header") {
//     on.request_headers = [](proxy_wasm::HttpContext& ctx, uint32_t, bool) {
//       PLUGIN_CHECK(ctx.addRequestHeader("x-a", "1") == proxy_wasm::Status::Ok);
//       return proxy_wasm::Action::Continue;
//     };
//   }
//   #else
//   TEST_CASE_FIXTURE(sdk_case::Fixture, "adds a header") {
//     host->startPlugin({"http"});
//     host->newHttpStream().sendRequestHeaders({{":path", "/"}});
//     CHECK(ran("request_headers") == 1);   // the handler ran, once
//   }
//   #endif
//
// The plugin picks the case whose name the host side gives (the doctest case's name, or
// the Session's), through the host's foreign function "sdk_case", which is the plugin's
// only way back to the test (the same natively and in the engine):
//   - every callback a plugin context gets is noted: trace() ("request_headers 2") and
//     ran("request_headers") (the runs of that case's handler);
//   - PLUGIN_CHECK(cond) is false: a doctest failure at the plugin's file:line with the
//     expression (if the host cannot be told, a critical log line "sdk_case: PLUGIN_CHECK
//     failed at file:line: expr", which the host side turns into the same failure);
//   - sdk_case::count(key) / report(key, value): count(key) / values(key) on the host side;
//   - sdk_case::callHost(name, args): runs the handler the host side registered with
//     handle(name, fn) while the plugin waits (fault injection from inside a callback);
//   - contexts made and freed: live().
// Plugin-side state that handlers share lives in static variables reset at the top of the
// case body: the body runs again for every new host (natively the plugin's globals outlive
// a host; in the engine each host has a fresh instance).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#if defined(SDK_CASE_PLUGIN)
#undef SDK_CASE_PLUGIN
#define SDK_CASE_PLUGIN 1
#define SDK_CASE_HOST 0
#else
#define SDK_CASE_PLUGIN 0
#define SDK_CASE_HOST 1
#endif

#define SDK_CASE_CAT2(a, b) a##b
#define SDK_CASE_CAT(a, b) SDK_CASE_CAT2(a, b)

#if SDK_CASE_PLUGIN
// ---- Plugin side ------------------------------------------------------------------------------
#include <proxy_wasm/proxy_wasm.h>

#include <functional>

namespace sdk_case {

// What the plugin's contexts do in the active case; unset: the SDK's default.
// Root ids: "http" (HTTP streams), "tcp" (TCP connections), "root_only" (no streams).
struct Handlers {
  std::function<bool(proxy_wasm::VmContext&, size_t)> vm_start;
  std::function<bool(proxy_wasm::RootContext&)> start, configure, root_done;
  std::function<void(proxy_wasm::RootContext&)> tick;
  std::function<void(proxy_wasm::RootContext&, uint32_t)> queue_ready;
  std::function<void(proxy_wasm::RootContext&, uint32_t, size_t)> foreign_function;
  std::function<proxy_wasm::Action(proxy_wasm::HttpContext&, uint32_t, bool)> request_headers, response_headers;
  std::function<proxy_wasm::Action(proxy_wasm::HttpContext&, size_t, bool)> request_body, response_body;
  std::function<proxy_wasm::Action(proxy_wasm::HttpContext&, uint32_t)> request_trailers, response_trailers;
  std::function<proxy_wasm::Action(proxy_wasm::StreamContext&)> new_connection;
  std::function<proxy_wasm::Action(proxy_wasm::StreamContext&, size_t, bool)> downstream_data, upstream_data;
  std::function<void(proxy_wasm::StreamContext&, proxy_wasm::PeerType)> downstream_close, upstream_close;
  std::function<void(proxy_wasm::ContextBase&)> log, deleted;  // on_log (streams), on_delete (any context)
};

// The active case's handlers (a handler may set another one, never itself).
Handlers& on();
// Host side: count(key) goes up by one.
void count(std::string_view key);
// Host side: values(key) gets `value` appended.
void report(std::string_view key, std::string_view value);
// Runs the host side's handle(name, ...) handler with `args`; false when it is missing.
bool callHost(std::string_view name, std::string_view args = {});
// PLUGIN_CHECK's work: reports a failed check; returns `ok`.
bool check(bool ok, const char* file, int line, const char* expression);

using CaseBody = void (*)(Handlers&);
struct Registration {
  Registration(const char* name, CaseBody body);
};

}  // namespace sdk_case

#define SDK_CASE_PLUGIN_IMPL(name, fn)                                                 \
  static void fn(::sdk_case::Handlers& on);                                          \
  static const ::sdk_case::Registration SDK_CASE_CAT(fn, _registration){name, &fn}; \
  static void fn([[maybe_unused]] ::sdk_case::Handlers& on)
// The plugin side of the case `name` (a function body over `on`, the case's Handlers).
#define PLUGIN_CASE(name) SDK_CASE_PLUGIN_IMPL(name, SDK_CASE_CAT(sdk_case_body_, __LINE__))
// A check inside the plugin: an expression, true when `cond` holds.
#define PLUGIN_CHECK(...) ::sdk_case::check(static_cast<bool>(__VA_ARGS__), __FILE__, __LINE__, #__VA_ARGS__)
#define PLUGIN_FAIL(message) ((void)::sdk_case::check(false, __FILE__, __LINE__, message))
// In a function returning void: PLUGIN_CHECK, and return when it failed.
#define PLUGIN_REQUIRE(...) \
  if (!PLUGIN_CHECK(__VA_ARGS__)) return

#else
// ---- Host side --------------------------------------------------------------------------------
#include <doctest/doctest.h>
#include <proxy_wasm/testing.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace sdk_case {

using Trace = std::vector<std::string>;

// What the plugin told the test (one Session per test case, over all its hosts).
struct State {
  std::string name;                      // the PLUGIN_CASE the plugin runs
  std::set<uint32_t> hosts;              // serials of this session's hosts
  Trace trace;                           // "<callback> <context id>" as plugin contexts got them
  std::map<std::string, int> counts;     // "on.<handler>" runs, count(key)
  std::map<std::string, std::vector<std::string>> values;
  std::map<std::string, std::function<void(std::string_view)>> handlers;
  int live = 0;  // context objects made and not yet freed
  std::vector<std::unique_ptr<std::string>> files;  // failure locations doctest points at
};

class Session {
 public:
  // The case named like the running doctest case.
  Session() : Session(doctest::getContextOptions()->currentTest->m_name) {}
  explicit Session(std::string name) : state_(std::make_shared<State>()) { state_->name = std::move(name); }

  // A new host driving a fresh instance of the plugin under test (native or .wasm),
  // connected to this session.
  std::unique_ptr<proxy_wasm::testing::Host> makeHost(proxy_wasm::testing::HostOptions options = {});

  // Runs of the case's handler `handler` (the Handlers member's name, e.g. "tick").
  int ran(const std::string& handler) const { return count("on." + handler); }
  int count(const std::string& key) const {
    auto it = state_->counts.find(key);
    return it == state_->counts.end() ? 0 : it->second;
  }
  std::vector<std::string> values(const std::string& key) const {
    auto it = state_->values.find(key);
    return it == state_->values.end() ? std::vector<std::string>{} : it->second;
  }
  Trace& trace() { return state_->trace; }
  int live() const { return state_->live; }
  // What sdk_case::callHost(name, args) runs, inside the plugin's call.
  void handle(const std::string& name, std::function<void(std::string_view args)> fn) {
    state_->handlers[name] = std::move(fn);
  }

 private:
  std::shared_ptr<State> state_;
};

// For a case that needs the natively linked plugin (SDK internals with no engine
// equivalent): TEST_CASE("name" * sdk_case::nativeOnly()) is skipped in the engine.
inline doctest::skip nativeOnly() { return doctest::skip(proxy_wasm::testing::pluginUnderTestName() != "native"); }

// A test case's session and its first host (HostOptions{}; replace it with makeHost(options)).
struct Fixture : Session {
  std::unique_ptr<proxy_wasm::testing::Host> host = makeHost();
  Trace& trace() { return Session::trace(); }
};

// ---- Implementation ----------------------------------------------------------------------------

namespace detail {

// The host functions the plugin called in this process (every host of every session), by
// wire name, from the hosts' call records: calls the host ran (not refused, no injected
// status). With PROXY_WASM_SDK_CASE_IMPORTS set, written
// there at exit, one per line (the sdk_cases_import_coverage check reads the _wasm runs').
struct ImportRecord {
  std::set<std::string> called;
  ~ImportRecord() {
    const char* path = std::getenv("PROXY_WASM_SDK_CASE_IMPORTS");
    if (!path || !*path) return;
    std::ofstream out(path, std::ios::trunc);
    for (const auto& name : called) out << name << '\n';
  }
};
inline ImportRecord& importRecord() {
  static ImportRecord record;
  return record;
}

inline std::vector<std::string_view> split(std::string_view text, size_t parts) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < parts) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    out.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  out.push_back(text);
  return out;
}

inline void pluginFailure(State& state, std::string_view file, int line, std::string_view expression) {
  state.files.push_back(std::make_unique<std::string>(file));
  const std::string message = "PLUGIN_CHECK( " + std::string(expression) + " ) failed in the plugin (" +
                              proxy_wasm::testing::pluginUnderTestName() + ")";
  ADD_FAIL_CHECK_AT(state.files.back()->c_str(), line, message);
}

// The plugin's messages (the foreign function "sdk_case"): "<command>\n<argument>...".
inline proxy_wasm::Status receive(State& state, uint32_t serial, std::string_view message, std::string& out) {
  const auto head = split(message, 2);
  const std::string_view command = head[0];
  const std::string_view rest = head.size() > 1 ? head[1] : std::string_view();
  auto mine = [&] {  // a report about a context of one of this session's hosts
    const auto f = split(rest, 2);
    return state.hosts.count(uint32_t(std::stoul(std::string(f[0])))) != 0;
  };
  if (command == "case") {
    out = state.name + "\n" + std::to_string(serial);
  } else if (command == "note") {  // <callback>\n<context id>\n<handler that ran, or empty>
    const auto f = split(rest, 3);
    if (f.size() != 3) return proxy_wasm::Status::BadArgument;
    if (!f[0].empty()) state.trace.push_back(std::string(f[0]) + " " + std::string(f[1]));
    if (!f[2].empty()) ++state.counts["on." + std::string(f[2])];
  } else if (command == "count") {
    ++state.counts[std::string(rest)];
  } else if (command == "value") {
    const auto f = split(rest, 2);
    state.values[std::string(f[0])].push_back(f.size() > 1 ? std::string(f[1]) : std::string());
  } else if (command == "fail") {  // <file>\n<line>\n<expression>
    const auto f = split(rest, 3);
    if (f.size() != 3) return proxy_wasm::Status::BadArgument;
    pluginFailure(state, f[0], std::stoi(std::string(f[1])), f[2]);
  } else if (command == "made" || command == "freed") {  // <host serial>\n<context id>
    if (mine()) state.live += command == "made" ? 1 : -1;
  } else if (command == "vm") {  // <host serial>
    if (mine()) ++state.counts["vm.made"];
  } else if (command == "call") {  // <handler>\n<args>
    const auto f = split(rest, 2);
    auto it = state.handlers.find(std::string(f[0]));
    if (it == state.handlers.end()) {
      FAIL_CHECK("the plugin called host handler '", f[0], "': the test registered none (Session::handle)");
      return proxy_wasm::Status::NotFound;
    }
    it->second(f.size() > 1 ? f[1] : std::string_view());
  } else {
    return proxy_wasm::Status::BadArgument;
  }
  return proxy_wasm::Status::Ok;
}

// Between the host and the plugin under test: connects the plugin's messages before the
// plugin is attached (natively, attaching frees the previous host's leftovers), and turns
// the plugin's fallback failure lines into doctest failures after each callback.
class CaseGuest final : public proxy_wasm::host::Guest {
 public:
  CaseGuest(std::unique_ptr<proxy_wasm::host::Guest> guest, std::shared_ptr<State> state, uint32_t serial)
      : guest_(std::move(guest)), state_(std::move(state)), serial_(serial) {}
  bool has(proxy_wasm::host::Callback cb) const override { return guest_->has(cb); }
  proxy_wasm::host::CallResult call(proxy_wasm::host::Callback cb, std::initializer_list<uint32_t> args) override {
    auto r = guest_->call(cb, args);
    scanLogs();
    scanCalls();
    return r;
  }
  std::string describe() const override { return guest_->describe(); }
  void attach(proxy_wasm::host::Model& host) override {
    host_ = &host;
    std::weak_ptr<State> weak = state_;
    const uint32_t serial = serial_;
    host.registerForeignFunction("sdk_case", [weak, serial](std::string_view args, std::string& out) {
      auto state = weak.lock();
      return state ? receive(*state, serial, args, out) : proxy_wasm::Status(proxy_wasm::Status::NotFound);
    });
    guest_->attach(host);
  }
  uint64_t memoryBytes() const override { return guest_->memoryBytes(); }

 private:
  void scanCalls() {
    const auto& calls = host_->hostCalls();
    if (calls.size() < calls_scanned_) calls_scanned_ = 0;  // cleared
    for (; calls_scanned_ < calls.size(); ++calls_scanned_) {
      const auto& call = calls[calls_scanned_];
      if (!call.injected && !call.refused) importRecord().called.insert(call.function);  // the host ran it
    }
  }
  void scanLogs() {
    const auto& logs = host_->logs();
    if (logs.size() < scanned_) scanned_ = 0;  // cleared
    static constexpr std::string_view kPrefix = "sdk_case: PLUGIN_CHECK failed at ";
    for (; scanned_ < logs.size(); ++scanned_) {
      std::string_view m = logs[scanned_].message;
      if (m.substr(0, kPrefix.size()) != kPrefix) continue;
      m.remove_prefix(kPrefix.size());
      const size_t colon = m.find(": ");
      const size_t line_at = m.substr(0, colon).rfind(':');
      if (colon == std::string_view::npos || line_at == std::string_view::npos) continue;
      pluginFailure(*state_, m.substr(0, line_at), std::atoi(std::string(m.substr(line_at + 1, colon - line_at - 1)).c_str()),
                    m.substr(colon + 2));
    }
  }
  std::unique_ptr<proxy_wasm::host::Guest> guest_;
  std::shared_ptr<State> state_;
  uint32_t serial_;
  proxy_wasm::host::Model* host_ = nullptr;
  size_t scanned_ = 0;
  size_t calls_scanned_ = 0;
};

}  // namespace detail

inline std::unique_ptr<proxy_wasm::testing::Host> Session::makeHost(proxy_wasm::testing::HostOptions options) {
  static uint32_t serials = 0;
  const uint32_t serial = ++serials;
  state_->hosts.insert(serial);
  std::unique_ptr<proxy_wasm::host::Guest> guest = proxy_wasm::testing::pluginUnderTest();
  if (const char* dir = std::getenv("PROXY_WASM_CALLBACK_TRACE"); dir && *dir)
    guest = std::make_unique<proxy_wasm::testing::CallbackTrace>(std::move(guest), dir);
  return std::make_unique<proxy_wasm::testing::Host>(std::make_unique<detail::CaseGuest>(std::move(guest), state_, serial),
                                                     std::move(options));
}

}  // namespace sdk_case
#endif
