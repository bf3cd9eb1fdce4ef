// The native guest: calls the plugin's exports directly and implements every `proxy_*`
// import as a C function over the host model, with pointers read in place.
#include <cstring>
#include <exception>
#include <string>

#include "proxy_wasm/abi.h"
#include "proxy_wasm/host/abi_adapter.h"
#include "proxy_wasm/host/host.h"
#include "proxy_wasm/host/native.h"

// The plugin's exports (defined by the SDK's exports.h in the plugin's objects).
extern "C" {
void* proxy_on_memory_allocate(size_t size);
void proxy_on_context_create(uint32_t id, uint32_t parent);
uint32_t proxy_on_vm_start(uint32_t root, uint32_t size);
uint32_t proxy_on_configure(uint32_t root, uint32_t size);
void proxy_on_tick(uint32_t root);
void proxy_on_queue_ready(uint32_t root, uint32_t id);
void proxy_on_foreign_function(uint32_t root, uint32_t id, uint32_t size);
uint32_t proxy_on_new_connection(uint32_t id);
uint32_t proxy_on_downstream_data(uint32_t id, uint32_t size, uint32_t eos);
uint32_t proxy_on_upstream_data(uint32_t id, uint32_t size, uint32_t eos);
void proxy_on_downstream_connection_close(uint32_t id, uint32_t peer);
void proxy_on_upstream_connection_close(uint32_t id, uint32_t peer);
uint32_t proxy_on_request_headers(uint32_t id, uint32_t n, uint32_t eos);
uint32_t proxy_on_request_body(uint32_t id, uint32_t size, uint32_t eos);
uint32_t proxy_on_request_trailers(uint32_t id, uint32_t n);
uint32_t proxy_on_response_headers(uint32_t id, uint32_t n, uint32_t eos);
uint32_t proxy_on_response_body(uint32_t id, uint32_t size, uint32_t eos);
uint32_t proxy_on_response_trailers(uint32_t id, uint32_t n);
void proxy_on_http_call_response(uint32_t root, uint32_t token, uint32_t h, uint32_t b, uint32_t t);
void proxy_on_grpc_receive_initial_metadata(uint32_t root, uint32_t token, uint32_t n);
void proxy_on_grpc_receive(uint32_t root, uint32_t token, uint32_t size);
void proxy_on_grpc_receive_trailing_metadata(uint32_t root, uint32_t token, uint32_t n);
void proxy_on_grpc_close(uint32_t root, uint32_t token, uint32_t status);
uint32_t proxy_on_done(uint32_t id);
void proxy_on_log(uint32_t id);
void proxy_on_delete(uint32_t id);
void proxy_wasm_native_reset();
}

namespace proxy_wasm::host {
namespace {

Host* g_host = nullptr;

// A trap of the natively linked plugin (proxy_wasm::fatal, a trapping runtime hook):
// thrown by proxy_wasm_native_trap and caught where the host called into the plugin, as
// an engine unwinds a trapping module to its caller.
struct NativeTrap {
  std::string message;
};

// Plugin memory is this process's memory: pointers are read in place. A null pointer
// with a non-zero size is refused (InvalidMemoryAccess), as a host would refuse an
// out-of-bounds one.
struct NativeMemory {
  using Ptr = uintptr_t;
  std::optional<std::string_view> read(Ptr p, Ptr n) {
    if (n == 0) return std::string_view();
    if (p == 0) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(p), size_t(n));
  }
  bool write(Ptr p, std::string_view bytes) {
    if (p == 0) return bytes.empty();
    std::memcpy(reinterpret_cast<void*>(p), bytes.data(), bytes.size());
    return true;
  }
  bool writeU32(Ptr p, uint32_t v) {
    if (p == 0) return false;
    std::memcpy(reinterpret_cast<void*>(p), &v, sizeof v);
    return true;
  }
  bool writeU64(Ptr p, uint64_t v) {
    if (p == 0) return false;
    std::memcpy(reinterpret_cast<void*>(p), &v, sizeof v);
    return true;
  }
  bool writeWord(Ptr p, uint64_t v) {
    if (p == 0) return false;
    const uintptr_t w = uintptr_t(v);
    std::memcpy(reinterpret_cast<void*>(p), &w, sizeof w);
    return true;
  }
};

// Forwards an import to the adapter. A call the host would trap on is recorded by the
// host model (violations()) and answered with InternalFailure: a native process cannot
// trap and continue.
template <class... Args>
uint32_t forward(uint32_t (*fn)(Host&, NativeMemory&, Args...), Args... args) {
  if (!g_host) return uint32_t(Status::InternalFailure);
  NativeMemory m;
  const uint32_t r = fn(*g_host, m, args...);
  return r == abi::kTrap ? uint32_t(Status::InternalFailure) : r;
}

uintptr_t P(const void* p) { return reinterpret_cast<uintptr_t>(p); }

class NativeGuest final : public Guest {
 public:
  ~NativeGuest() override {
    if (g_host == host_) g_host = nullptr;
  }
  void attach(Host& host) override {
    host_ = &host;
    g_host = &host;
    proxy_wasm_native_reset();  // a fresh SDK state for a fresh host
  }
  bool has(Callback cb) const override { return cb != Callback::Initialize; }  // static init already ran
  std::string describe() const override { return "native plugin"; }

  CallResult call(Callback cb, std::initializer_list<uint32_t> list) override {
    g_host = host_;
    try {
      return dispatch(cb, list.begin());
    } catch (const NativeTrap& trap) {
      CallResult r;
      r.ok = false;
      r.error = "trap: " + trap.message;
      return r;
    }
  }

 private:
  CallResult dispatch(Callback cb, const uint32_t* a) {
    CallResult r;
    switch (cb) {
      case Callback::Initialize: break;
      case Callback::MemoryAllocate:  // natively an address is 64-bit
        r.value = reinterpret_cast<uintptr_t>(proxy_on_memory_allocate(a[0]));
        break;
      case Callback::ContextCreate: proxy_on_context_create(a[0], a[1]); break;
      case Callback::VmStart: r.value = proxy_on_vm_start(a[0], a[1]); break;
      case Callback::Configure: r.value = proxy_on_configure(a[0], a[1]); break;
      case Callback::Tick: proxy_on_tick(a[0]); break;
      case Callback::QueueReady: proxy_on_queue_ready(a[0], a[1]); break;
      case Callback::ForeignFunction: proxy_on_foreign_function(a[0], a[1], a[2]); break;
      case Callback::NewConnection: r.value = proxy_on_new_connection(a[0]); break;
      case Callback::DownstreamData: r.value = proxy_on_downstream_data(a[0], a[1], a[2]); break;
      case Callback::UpstreamData: r.value = proxy_on_upstream_data(a[0], a[1], a[2]); break;
      case Callback::DownstreamConnectionClose: proxy_on_downstream_connection_close(a[0], a[1]); break;
      case Callback::UpstreamConnectionClose: proxy_on_upstream_connection_close(a[0], a[1]); break;
      case Callback::RequestHeaders: r.value = proxy_on_request_headers(a[0], a[1], a[2]); break;
      case Callback::RequestBody: r.value = proxy_on_request_body(a[0], a[1], a[2]); break;
      case Callback::RequestTrailers: r.value = proxy_on_request_trailers(a[0], a[1]); break;
      case Callback::ResponseHeaders: r.value = proxy_on_response_headers(a[0], a[1], a[2]); break;
      case Callback::ResponseBody: r.value = proxy_on_response_body(a[0], a[1], a[2]); break;
      case Callback::ResponseTrailers: r.value = proxy_on_response_trailers(a[0], a[1]); break;
      case Callback::HttpCallResponse: proxy_on_http_call_response(a[0], a[1], a[2], a[3], a[4]); break;
      case Callback::GrpcReceiveInitialMetadata: proxy_on_grpc_receive_initial_metadata(a[0], a[1], a[2]); break;
      case Callback::GrpcReceive: proxy_on_grpc_receive(a[0], a[1], a[2]); break;
      case Callback::GrpcReceiveTrailingMetadata: proxy_on_grpc_receive_trailing_metadata(a[0], a[1], a[2]); break;
      case Callback::GrpcClose: proxy_on_grpc_close(a[0], a[1], a[2]); break;
      case Callback::Done: r.value = proxy_on_done(a[0]); break;
      case Callback::Log: proxy_on_log(a[0]); break;
      case Callback::Delete: proxy_on_delete(a[0]); break;
      case Callback::Count_: r.ok = false; r.error = "no such callback"; break;
    }
    return r;
  }

  Host* host_ = nullptr;
};

}  // namespace

std::unique_ptr<Guest> nativeGuest() { return std::make_unique<NativeGuest>(); }

}  // namespace proxy_wasm::host

// ---- The imports ------------------------------------------------------------------------------

using proxy_wasm::host::forward;
using proxy_wasm::host::NativeMemory;
using proxy_wasm::host::P;
namespace abi = proxy_wasm::host::abi;

extern "C" {

[[noreturn]] void proxy_wasm_native_trap(const char* message, size_t size) {
  throw proxy_wasm::host::NativeTrap{std::string(message, size)};
}

uint32_t proxy_log(uint32_t level, const char* message, size_t size) {
  return forward(&abi::log<NativeMemory>, level, P(message), uintptr_t(size));
}
uint32_t proxy_get_log_level(uint32_t* level) { return forward(&abi::get_log_level<NativeMemory>, P(level)); }
uint32_t proxy_get_current_time_nanoseconds(uint64_t* ns) {
  return forward(&abi::get_current_time_nanoseconds<NativeMemory>, P(ns));
}
uint32_t proxy_set_tick_period_milliseconds(uint32_t ms) {
  return forward(&abi::set_tick_period_milliseconds<NativeMemory>, ms);
}
uint32_t proxy_done() { return forward(&abi::done<NativeMemory>); }
uint32_t proxy_set_effective_context(uint32_t id) { return forward(&abi::set_effective_context<NativeMemory>, id); }
uint32_t proxy_call_foreign_function(const char* name, size_t name_size, const char* args, size_t args_size,
                                     char** result, size_t* result_size) {
  return forward(&abi::call_foreign_function<NativeMemory>, P(name), uintptr_t(name_size), P(args),
                 uintptr_t(args_size), P(result), P(result_size));
}
uint32_t proxy_get_buffer_bytes(uint32_t type, size_t start, size_t max_size, char** data, size_t* size) {
  return forward(&abi::get_buffer_bytes<NativeMemory>, type, uintptr_t(start), uintptr_t(max_size), P(data), P(size));
}
uint32_t proxy_set_buffer_bytes(uint32_t type, size_t start, size_t size, const char* data, size_t data_size) {
  return forward(&abi::set_buffer_bytes<NativeMemory>, type, uintptr_t(start), uintptr_t(size), P(data),
                 uintptr_t(data_size));
}
uint32_t proxy_get_buffer_status(uint32_t type, size_t* size, uint32_t* flags) {
  return forward(&abi::get_buffer_status<NativeMemory>, type, P(size), P(flags));
}
uint32_t proxy_get_header_map_size(uint32_t type, size_t* size) {
  return forward(&abi::get_header_map_size<NativeMemory>, type, P(size));
}
uint32_t proxy_get_header_map_pairs(uint32_t type, char** data, size_t* size) {
  return forward(&abi::get_header_map_pairs<NativeMemory>, type, P(data), P(size));
}
uint32_t proxy_set_header_map_pairs(uint32_t type, const char* data, size_t size) {
  return forward(&abi::set_header_map_pairs<NativeMemory>, type, P(data), uintptr_t(size));
}
uint32_t proxy_get_header_map_value(uint32_t type, const char* key, size_t key_size, char** value,
                                    size_t* value_size) {
  return forward(&abi::get_header_map_value<NativeMemory>, type, P(key), uintptr_t(key_size), P(value), P(value_size));
}
uint32_t proxy_add_header_map_value(uint32_t type, const char* key, size_t key_size, const char* value,
                                    size_t value_size) {
  return forward(&abi::add_header_map_value<NativeMemory>, type, P(key), uintptr_t(key_size), P(value),
                 uintptr_t(value_size));
}
uint32_t proxy_replace_header_map_value(uint32_t type, const char* key, size_t key_size, const char* value,
                                        size_t value_size) {
  return forward(&abi::replace_header_map_value<NativeMemory>, type, P(key), uintptr_t(key_size), P(value),
                 uintptr_t(value_size));
}
uint32_t proxy_remove_header_map_value(uint32_t type, const char* key, size_t key_size) {
  return forward(&abi::remove_header_map_value<NativeMemory>, type, P(key), uintptr_t(key_size));
}
uint32_t proxy_continue_stream(uint32_t type) { return forward(&abi::continue_stream<NativeMemory>, type); }
uint32_t proxy_close_stream(uint32_t type) { return forward(&abi::close_stream<NativeMemory>, type); }
uint32_t proxy_send_local_response(uint32_t status, const char* details, size_t details_size, const char* body,
                                   size_t body_size, const char* headers, size_t headers_size, uint32_t grpc_status) {
  return forward(&abi::send_local_response<NativeMemory>, status, P(details), uintptr_t(details_size), P(body),
                 uintptr_t(body_size), P(headers), uintptr_t(headers_size), grpc_status);
}
uint32_t proxy_get_status(uint32_t* code, char** message, size_t* message_size) {
  return forward(&abi::get_status<NativeMemory>, P(code), P(message), P(message_size));
}
uint32_t proxy_http_call(const char* upstream, size_t upstream_size, const char* headers, size_t headers_size,
                         const char* body, size_t body_size, const char* trailers, size_t trailers_size,
                         uint32_t timeout, uint32_t* token) {
  return forward(&abi::http_call<NativeMemory>, P(upstream), uintptr_t(upstream_size), P(headers),
                 uintptr_t(headers_size), P(body), uintptr_t(body_size), P(trailers), uintptr_t(trailers_size), timeout,
                 P(token));
}
uint32_t proxy_grpc_call(const char* upstream, size_t upstream_size, const char* service, size_t service_size,
                         const char* method, size_t method_size, const char* metadata, size_t metadata_size,
                         const char* message, size_t message_size, uint32_t timeout, uint32_t* token) {
  return forward(&abi::grpc_call<NativeMemory>, P(upstream), uintptr_t(upstream_size), P(service),
                 uintptr_t(service_size), P(method), uintptr_t(method_size), P(metadata), uintptr_t(metadata_size),
                 P(message), uintptr_t(message_size), timeout, P(token));
}
uint32_t proxy_grpc_stream(const char* upstream, size_t upstream_size, const char* service, size_t service_size,
                           const char* method, size_t method_size, const char* metadata, size_t metadata_size,
                           uint32_t* token) {
  return forward(&abi::grpc_stream<NativeMemory>, P(upstream), uintptr_t(upstream_size), P(service),
                 uintptr_t(service_size), P(method), uintptr_t(method_size), P(metadata), uintptr_t(metadata_size),
                 P(token));
}
uint32_t proxy_grpc_send(uint32_t token, const char* message, size_t size, uint32_t end_stream) {
  return forward(&abi::grpc_send<NativeMemory>, token, P(message), uintptr_t(size), end_stream);
}
uint32_t proxy_grpc_cancel(uint32_t token) { return forward(&abi::grpc_cancel<NativeMemory>, token); }
uint32_t proxy_grpc_close(uint32_t token) { return forward(&abi::grpc_close<NativeMemory>, token); }
uint32_t proxy_get_shared_data(const char* key, size_t key_size, char** value, size_t* value_size, uint32_t* cas) {
  return forward(&abi::get_shared_data<NativeMemory>, P(key), uintptr_t(key_size), P(value), P(value_size), P(cas));
}
uint32_t proxy_set_shared_data(const char* key, size_t key_size, const char* value, size_t value_size, uint32_t cas) {
  return forward(&abi::set_shared_data<NativeMemory>, P(key), uintptr_t(key_size), P(value), uintptr_t(value_size),
                 cas);
}
uint32_t proxy_register_shared_queue(const char* name, size_t name_size, uint32_t* id) {
  return forward(&abi::register_shared_queue<NativeMemory>, P(name), uintptr_t(name_size), P(id));
}
uint32_t proxy_resolve_shared_queue(const char* vm_id, size_t vm_id_size, const char* name, size_t name_size,
                                    uint32_t* id) {
  return forward(&abi::resolve_shared_queue<NativeMemory>, P(vm_id), uintptr_t(vm_id_size), P(name),
                 uintptr_t(name_size), P(id));
}
uint32_t proxy_enqueue_shared_queue(uint32_t id, const char* data, size_t size) {
  return forward(&abi::enqueue_shared_queue<NativeMemory>, id, P(data), uintptr_t(size));
}
uint32_t proxy_dequeue_shared_queue(uint32_t id, char** data, size_t* size) {
  return forward(&abi::dequeue_shared_queue<NativeMemory>, id, P(data), P(size));
}
uint32_t proxy_define_metric(uint32_t type, const char* name, size_t name_size, uint32_t* id) {
  return forward(&abi::define_metric<NativeMemory>, type, P(name), uintptr_t(name_size), P(id));
}
uint32_t proxy_increment_metric(uint32_t id, int64_t offset) {
  return forward(&abi::increment_metric<NativeMemory>, id, offset);
}
uint32_t proxy_record_metric(uint32_t id, uint64_t value) {
  return forward(&abi::record_metric<NativeMemory>, id, value);
}
uint32_t proxy_get_metric(uint32_t id, uint64_t* value) { return forward(&abi::get_metric<NativeMemory>, id, P(value)); }
uint32_t proxy_get_property(const char* path, size_t path_size, char** value, size_t* value_size) {
  return forward(&abi::get_property<NativeMemory>, P(path), uintptr_t(path_size), P(value), P(value_size));
}
uint32_t proxy_set_property(const char* path, size_t path_size, const char* value, size_t value_size) {
  return forward(&abi::set_property<NativeMemory>, P(path), uintptr_t(path_size), P(value), uintptr_t(value_size));
}

}  // extern "C"
