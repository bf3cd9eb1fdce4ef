// The host model suites' plugin (tests/host): every callback forwards to a hook the test
// case installs, so a test runs its code inside real callbacks driven by the host model
// (native only: the hooks capture the test's locals). The SDK's own suites use the
// sdk_cases plugin instead (sdk_case.h), which runs natively and as .wasm.
#pragma once

#include <proxy_wasm/proxy_wasm.h>

#include <functional>
#include <string>
#include <vector>

namespace test_plugin {

struct Hooks {
  std::function<bool(proxy_wasm::RootContext&)> on_start, on_configure, on_root_done;
  std::function<bool(proxy_wasm::VmContext&, size_t)> on_vm_start;
  std::function<void(proxy_wasm::RootContext&)> on_tick;
  std::function<void(proxy_wasm::RootContext&, uint32_t)> on_queue_ready;
  std::function<void(proxy_wasm::RootContext&, uint32_t, size_t)> on_foreign_function;
  std::function<proxy_wasm::Action(proxy_wasm::HttpContext&, size_t, bool)> on_request_headers, on_request_body,
      on_response_headers, on_response_body;
  std::function<proxy_wasm::Action(proxy_wasm::HttpContext&, uint32_t)> on_request_trailers, on_response_trailers;
  std::function<proxy_wasm::Action(proxy_wasm::StreamContext&)> on_new_connection;
  std::function<proxy_wasm::Action(proxy_wasm::StreamContext&, size_t, bool)> on_downstream_data, on_upstream_data;
  std::function<void(proxy_wasm::StreamContext&, proxy_wasm::PeerType)> on_downstream_close, on_upstream_close;
  std::function<void(proxy_wasm::ContextBase&)> on_log, on_delete;
  // Every callback, in order: "<callback> <context id>".
  std::vector<std::string> trace;
};

// Reset by each test case (see reset()).
Hooks& hooks();
void reset();
// Number of live context objects (constructed and not destroyed).
int liveContexts();
// Number of VmContext objects constructed since the process started.
int vmContextsMade();

}  // namespace test_plugin
