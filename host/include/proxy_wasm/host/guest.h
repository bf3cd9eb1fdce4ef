// The plugin as a host sees it: callbacks to call and memory to allocate in. One host
// model (host.h) drives either way in: a plugin linked natively (native_guest.cc) or a
// .wasm module in an engine (engine/).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace proxy_wasm::host {

class Host;

// Every callback a v0.2.1 host may call, plus the allocator and start-up functions.
enum class Callback : uint32_t {
  Initialize,  // _initialize
  MemoryAllocate,
  ContextCreate,
  VmStart,
  Configure,
  Tick,
  QueueReady,
  ForeignFunction,
  NewConnection,
  DownstreamData,
  UpstreamData,
  DownstreamConnectionClose,
  UpstreamConnectionClose,
  RequestHeaders,
  RequestBody,
  RequestTrailers,
  ResponseHeaders,
  ResponseBody,
  ResponseTrailers,
  HttpCallResponse,
  GrpcReceiveInitialMetadata,
  GrpcReceive,
  GrpcReceiveTrailingMetadata,
  GrpcClose,
  Done,
  Log,
  Delete,
  Count_,
};

struct CallbackInfo {
  const char* export_name;
  uint8_t params;     // all i32
  bool has_result;    // i32 result
};

// Export name and signature of each callback (v0.2.1).
inline const CallbackInfo& callbackInfo(Callback cb) {
  static const CallbackInfo kInfo[] = {
      {"_initialize", 0, false},
      {"proxy_on_memory_allocate", 1, true},
      {"proxy_on_context_create", 2, false},
      {"proxy_on_vm_start", 2, true},
      {"proxy_on_configure", 2, true},
      {"proxy_on_tick", 1, false},
      {"proxy_on_queue_ready", 2, false},
      {"proxy_on_foreign_function", 3, false},
      {"proxy_on_new_connection", 1, true},
      {"proxy_on_downstream_data", 3, true},
      {"proxy_on_upstream_data", 3, true},
      {"proxy_on_downstream_connection_close", 2, false},
      {"proxy_on_upstream_connection_close", 2, false},
      {"proxy_on_request_headers", 3, true},
      {"proxy_on_request_body", 3, true},
      {"proxy_on_request_trailers", 2, true},
      {"proxy_on_response_headers", 3, true},
      {"proxy_on_response_body", 3, true},
      {"proxy_on_response_trailers", 2, true},
      {"proxy_on_http_call_response", 5, false},
      {"proxy_on_grpc_receive_initial_metadata", 3, false},
      {"proxy_on_grpc_receive", 3, false},
      {"proxy_on_grpc_receive_trailing_metadata", 3, false},
      {"proxy_on_grpc_close", 3, false},
      {"proxy_on_done", 1, true},
      {"proxy_on_log", 1, false},
      {"proxy_on_delete", 1, false},
  };
  static_assert(sizeof(kInfo) / sizeof(kInfo[0]) == static_cast<size_t>(Callback::Count_));
  return kInfo[static_cast<uint32_t>(cb)];
}

// Outcome of calling into the plugin.
struct CallResult {
  bool ok = true;        // false: the plugin trapped (or could not be called)
  uint64_t value = 0;    // the i32 result (the allocator: an address, 64-bit natively)
  std::string error;     // why it failed
};

class Guest {
 public:
  virtual ~Guest() = default;
  // Whether the plugin exports `cb` (an absent callback gets the host's default).
  virtual bool has(Callback cb) const = 0;
  // Calls `cb` with i32 arguments.
  virtual CallResult call(Callback cb, std::initializer_list<uint32_t> args) = 0;
  // A short description for messages ("native plugin", "module.wasm").
  virtual std::string describe() const = 0;
  // Called once by the Host that will drive this guest, before any call: the guest
  // connects the plugin's imports to it.
  virtual void attach(Host& host) { (void)host; }
};

}  // namespace proxy_wasm::host
