// Every v0.2.1 host function, written once over an abstract view of plugin memory, under
// its wire name (abi::proxy_log<M>, ...):
// decode arguments (enum ranges first, then pointers, as Envoy's host does), run the
// host model, and copy results into plugin memory through its allocator.
//
// `M` (the memory) provides:
//   using Ptr;                                   // pointer/size type (u32 in wasm32)
//   std::optional<std::string_view> read(Ptr p, Ptr n);   // nullopt: out of bounds
//   bool write(Ptr p, std::string_view bytes);
//   bool writeU32(Ptr p, uint32_t), writeU64(Ptr p, uint64_t);
//   bool writeWord(Ptr p, uint64_t);            // a pointer- or size_t-sized slot
// A function returns a Status wire value, or kTrap when the host would trap (a call
// refused during start-up or inside the allocator). Every call, refused ones included, is
// recorded by the host model (Host::hostCalls()), the same way for every guest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proxy_wasm/host/model.h"

namespace proxy_wasm::host::abi {

inline constexpr uint32_t kTrap = 0xFFFFFFFFu;

namespace detail {
inline uint32_t st(Status s) { return s.code(); }
constexpr uint32_t kIma = static_cast<uint32_t>(Status::InvalidMemoryAccess);

// Copies `data` into a fresh plugin allocation and writes (ptr, size) to the out-params.
// Empty data allocates nothing and writes 0/0, as real hosts do.
template <class M>
uint32_t copyOut(Model& h, M& m, std::string_view data, typename M::Ptr ptr_out, typename M::Ptr size_out) {
  uint64_t addr = 0;
  if (!data.empty()) {
    addr = h.allocate(data.size());
    if (addr == 0 || !m.write(typename M::Ptr(addr), data)) return kIma;
  }
  if (!m.writeWord(ptr_out, addr) || !m.writeWord(size_out, data.size())) return kIma;
  return 0;
}
// Every host function runs through here: the call is recorded (Host::hostCalls()), then
// refused when the host would trap (start-up, allocator), answered with an injected status
// when a fault is due (Host::injectStatus), else run.
template <class Body>
uint32_t hostCall(Model& h, const char* name, Body&& body) {
  const size_t record = h.beginHostCall(name);
  uint32_t r = kTrap;
  if (h.allowed(name)) {
    const std::optional<uint32_t> injected = h.injectedStatus(name);
    r = injected ? *injected : body();
  }
  h.endHostCall(record, r);
  return r;
}
}  // namespace detail

template <class M>
uint32_t proxy_log(Model& h, M& m, uint32_t level, typename M::Ptr msg, typename M::Ptr size) {
  return detail::hostCall(h, "proxy_log", [&]() -> uint32_t {
    if (level > 5) return detail::st(Status::BadArgument);
    auto text = m.read(msg, size);
    if (!text) return detail::kIma;
    return detail::st(h.hLog(level, *text));
  });
}

template <class M>
uint32_t proxy_get_log_level(Model& h, M& m, typename M::Ptr out) {
  return detail::hostCall(h, "proxy_get_log_level", [&]() -> uint32_t {
    uint32_t level = 0;
    (void)h.hGetLogLevel(level);  // always Ok
    return m.writeU32(out, level) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_get_current_time_nanoseconds(Model& h, M& m, typename M::Ptr out) {
  return detail::hostCall(h, "proxy_get_current_time_nanoseconds", [&]() -> uint32_t {
    uint64_t ns = 0;
    (void)h.hGetCurrentTime(ns);  // always Ok
    return m.writeU64(out, ns) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_set_tick_period_milliseconds(Model& h, M&, uint32_t ms) {
  return detail::hostCall(h, "proxy_set_tick_period_milliseconds", [&]() -> uint32_t {
    return detail::st(h.hSetTickPeriod(ms));
  });
}

template <class M>
uint32_t proxy_done(Model& h, M&) {
  return detail::hostCall(h, "proxy_done", [&]() -> uint32_t {
    return detail::st(h.hDone());
  });
}

template <class M>
uint32_t proxy_set_effective_context(Model& h, M&, uint32_t id) {
  return detail::hostCall(h, "proxy_set_effective_context", [&]() -> uint32_t {
    return detail::st(h.hSetEffectiveContext(id));
  });
}

template <class M>
uint32_t proxy_call_foreign_function(Model& h, M& m, typename M::Ptr name, typename M::Ptr name_size, typename M::Ptr args,
                               typename M::Ptr args_size, typename M::Ptr ret_ptr, typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_call_foreign_function", [&]() -> uint32_t {
    auto n = m.read(name, name_size);
    auto a = m.read(args, args_size);
    if (!n || !a) return detail::kIma;
    std::string out;
    const Status s = h.hCallForeignFunction(*n, *a, out);
    if (s != Status::Ok) return detail::st(s);
    if (ret_ptr == 0) return 0;  // result discarded
    return detail::copyOut(h, m, out, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_get_buffer_bytes(Model& h, M& m, uint32_t type, typename M::Ptr start, typename M::Ptr max,
                          typename M::Ptr ret_ptr, typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_get_buffer_bytes", [&]() -> uint32_t {
    if (type > kMaxBufferType) return detail::st(Status::BadArgument);
    std::string out;
    const Status s = h.hGetBufferBytes(type, uint64_t(start), uint64_t(max), out);
    if (s != Status::Ok) return detail::st(s);
    return detail::copyOut(h, m, out, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_set_buffer_bytes(Model& h, M& m, uint32_t type, typename M::Ptr start, typename M::Ptr size,
                          typename M::Ptr data, typename M::Ptr data_size) {
  return detail::hostCall(h, "proxy_set_buffer_bytes", [&]() -> uint32_t {
    if (type > kMaxBufferType) return detail::st(Status::BadArgument);
    auto bytes = m.read(data, data_size);
    if (!bytes) return detail::kIma;
    return detail::st(h.hSetBufferBytes(type, uint64_t(start), uint64_t(size), *bytes));
  });
}

template <class M>
uint32_t proxy_get_buffer_status(Model& h, M& m, uint32_t type, typename M::Ptr size_out, typename M::Ptr flags_out) {
  return detail::hostCall(h, "proxy_get_buffer_status", [&]() -> uint32_t {
    if (type > kMaxBufferType) return detail::st(Status::BadArgument);
    uint64_t size = 0;
    uint32_t flags = 0;
    const Status s = h.hGetBufferStatus(type, size, flags);
    if (s != Status::Ok) return detail::st(s);
    return m.writeWord(size_out, size) && m.writeU32(flags_out, flags) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_get_header_map_size(Model& h, M& m, uint32_t type, typename M::Ptr out) {
  return detail::hostCall(h, "proxy_get_header_map_size", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    uint64_t size = 0;
    const Status s = h.hGetHeaderMapSize(type, size);
    if (s != Status::Ok) return detail::st(s);
    return m.writeWord(out, size) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_get_header_map_pairs(Model& h, M& m, uint32_t type, typename M::Ptr ret_ptr, typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_get_header_map_pairs", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    std::string out;
    const Status s = h.hGetHeaderMapPairs(type, out);
    if (s != Status::Ok) return detail::st(s);
    return detail::copyOut(h, m, out, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_set_header_map_pairs(Model& h, M& m, uint32_t type, typename M::Ptr data, typename M::Ptr size) {
  return detail::hostCall(h, "proxy_set_header_map_pairs", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    auto bytes = m.read(data, size);
    if (!bytes) return detail::kIma;
    return detail::st(h.hSetHeaderMapPairs(type, *bytes));
  });
}

template <class M>
uint32_t proxy_get_header_map_value(Model& h, M& m, uint32_t type, typename M::Ptr key, typename M::Ptr key_size,
                              typename M::Ptr ret_ptr, typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_get_header_map_value", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    auto k = m.read(key, key_size);
    if (!k) return detail::kIma;
    std::string out;
    const Status s = h.hGetHeaderMapValue(type, *k, out);
    if (s != Status::Ok) return detail::st(s);
    return detail::copyOut(h, m, out, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_add_header_map_value(Model& h, M& m, uint32_t type, typename M::Ptr key, typename M::Ptr key_size,
                              typename M::Ptr value, typename M::Ptr value_size) {
  return detail::hostCall(h, "proxy_add_header_map_value", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    auto k = m.read(key, key_size);
    auto v = m.read(value, value_size);
    if (!k || !v) return detail::kIma;
    return detail::st(h.hAddHeaderMapValue(type, *k, *v));
  });
}

template <class M>
uint32_t proxy_replace_header_map_value(Model& h, M& m, uint32_t type, typename M::Ptr key, typename M::Ptr key_size,
                                  typename M::Ptr value, typename M::Ptr value_size) {
  return detail::hostCall(h, "proxy_replace_header_map_value", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    auto k = m.read(key, key_size);
    auto v = m.read(value, value_size);
    if (!k || !v) return detail::kIma;
    return detail::st(h.hReplaceHeaderMapValue(type, *k, *v));
  });
}

template <class M>
uint32_t proxy_remove_header_map_value(Model& h, M& m, uint32_t type, typename M::Ptr key, typename M::Ptr key_size) {
  return detail::hostCall(h, "proxy_remove_header_map_value", [&]() -> uint32_t {
    if (type > kMaxMapType) return detail::st(Status::BadArgument);
    auto k = m.read(key, key_size);
    if (!k) return detail::kIma;
    return detail::st(h.hRemoveHeaderMapValue(type, *k));
  });
}

template <class M>
uint32_t proxy_continue_stream(Model& h, M&, uint32_t type) {
  return detail::hostCall(h, "proxy_continue_stream", [&]() -> uint32_t {
    return detail::st(h.hContinueStream(type));
  });
}

template <class M>
uint32_t proxy_close_stream(Model& h, M&, uint32_t type) {
  return detail::hostCall(h, "proxy_close_stream", [&]() -> uint32_t {
    return detail::st(h.hCloseStream(type));
  });
}

template <class M>
uint32_t proxy_send_local_response(Model& h, M& m, uint32_t status, typename M::Ptr details, typename M::Ptr details_size,
                             typename M::Ptr body, typename M::Ptr body_size, typename M::Ptr headers,
                             typename M::Ptr headers_size, uint32_t grpc_status) {
  return detail::hostCall(h, "proxy_send_local_response", [&]() -> uint32_t {
    auto d = m.read(details, details_size);
    auto b = m.read(body, body_size);
    auto hd = m.read(headers, headers_size);
    if (!d || !b || !hd) return detail::kIma;
    return detail::st(h.hSendLocalResponse(status, *d, *b, *hd, grpc_status));
  });
}

template <class M>
uint32_t proxy_get_status(Model& h, M& m, typename M::Ptr code_out, typename M::Ptr ret_ptr, typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_get_status", [&]() -> uint32_t {
    uint32_t code = 0;
    std::string message;
    (void)h.hGetStatus(code, message);  // always Ok
    if (!m.writeU32(code_out, code)) return detail::kIma;
    return detail::copyOut(h, m, message, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_http_call(Model& h, M& m, typename M::Ptr up, typename M::Ptr up_size, typename M::Ptr hdr,
                   typename M::Ptr hdr_size, typename M::Ptr body, typename M::Ptr body_size, typename M::Ptr trl,
                   typename M::Ptr trl_size, uint32_t timeout_ms, typename M::Ptr token_out) {
  return detail::hostCall(h, "proxy_http_call", [&]() -> uint32_t {
    auto u = m.read(up, up_size);
    auto hd = m.read(hdr, hdr_size);
    auto b = m.read(body, body_size);
    auto t = m.read(trl, trl_size);
    if (!u || !hd || !b || !t) return detail::kIma;
    if (!m.writeU32(token_out, 0)) return detail::kIma;  // the host validates the slot first
    uint32_t token = 0;
    const Status s = h.hHttpCall(*u, *hd, *b, *t, timeout_ms, token);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU32(token_out, token) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_grpc_call(Model& h, M& m, typename M::Ptr up, typename M::Ptr up_size, typename M::Ptr svc,
                   typename M::Ptr svc_size, typename M::Ptr method, typename M::Ptr method_size, typename M::Ptr md,
                   typename M::Ptr md_size, typename M::Ptr msg, typename M::Ptr msg_size, uint32_t timeout_ms,
                   typename M::Ptr token_out) {
  return detail::hostCall(h, "proxy_grpc_call", [&]() -> uint32_t {
    auto u = m.read(up, up_size);
    auto s_ = m.read(svc, svc_size);
    auto me = m.read(method, method_size);
    auto mdv = m.read(md, md_size);
    auto ms = m.read(msg, msg_size);
    if (!u || !s_ || !me || !mdv || !ms) return detail::kIma;
    uint32_t token = 0;
    const Status s = h.hGrpcCall(*u, *s_, *me, *mdv, *ms, timeout_ms, token);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU32(token_out, token) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_grpc_stream(Model& h, M& m, typename M::Ptr up, typename M::Ptr up_size, typename M::Ptr svc,
                     typename M::Ptr svc_size, typename M::Ptr method, typename M::Ptr method_size, typename M::Ptr md,
                     typename M::Ptr md_size, typename M::Ptr token_out) {
  return detail::hostCall(h, "proxy_grpc_stream", [&]() -> uint32_t {
    auto u = m.read(up, up_size);
    auto s_ = m.read(svc, svc_size);
    auto me = m.read(method, method_size);
    auto mdv = m.read(md, md_size);
    if (!u || !s_ || !me || !mdv) return detail::kIma;
    uint32_t token = 0;
    const Status s = h.hGrpcStream(*u, *s_, *me, *mdv, token);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU32(token_out, token) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_grpc_send(Model& h, M& m, uint32_t token, typename M::Ptr msg, typename M::Ptr msg_size, uint32_t end) {
  return detail::hostCall(h, "proxy_grpc_send", [&]() -> uint32_t {
    auto ms = m.read(msg, msg_size);
    if (!ms) return detail::kIma;
    return detail::st(h.hGrpcSend(token, *ms, end));
  });
}

template <class M>
uint32_t proxy_grpc_cancel(Model& h, M&, uint32_t token) {
  return detail::hostCall(h, "proxy_grpc_cancel", [&]() -> uint32_t {
    return detail::st(h.hGrpcCancel(token));
  });
}

template <class M>
uint32_t proxy_grpc_close(Model& h, M&, uint32_t token) {
  return detail::hostCall(h, "proxy_grpc_close", [&]() -> uint32_t {
    return detail::st(h.hGrpcClose(token));
  });
}

template <class M>
uint32_t proxy_get_shared_data(Model& h, M& m, typename M::Ptr key, typename M::Ptr key_size, typename M::Ptr ret_ptr,
                         typename M::Ptr ret_size, typename M::Ptr cas_out) {
  return detail::hostCall(h, "proxy_get_shared_data", [&]() -> uint32_t {
    auto k = m.read(key, key_size);
    if (!k) return detail::kIma;
    std::string value;
    uint32_t cas = 0;
    const Status s = h.hGetSharedData(*k, value, cas);
    if (s != Status::Ok) return detail::st(s);
    if (!m.writeU32(cas_out, cas)) return detail::kIma;
    return detail::copyOut(h, m, value, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_set_shared_data(Model& h, M& m, typename M::Ptr key, typename M::Ptr key_size, typename M::Ptr value,
                         typename M::Ptr value_size, uint32_t cas) {
  return detail::hostCall(h, "proxy_set_shared_data", [&]() -> uint32_t {
    auto k = m.read(key, key_size);
    auto v = m.read(value, value_size);
    if (!k || !v) return detail::kIma;
    return detail::st(h.hSetSharedData(*k, *v, cas));
  });
}

template <class M>
uint32_t proxy_register_shared_queue(Model& h, M& m, typename M::Ptr name, typename M::Ptr name_size, typename M::Ptr id_out) {
  return detail::hostCall(h, "proxy_register_shared_queue", [&]() -> uint32_t {
    auto n = m.read(name, name_size);
    if (!n) return detail::kIma;
    uint32_t id = 0;
    const Status s = h.hRegisterSharedQueue(*n, id);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU32(id_out, id) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_resolve_shared_queue(Model& h, M& m, typename M::Ptr vm, typename M::Ptr vm_size, typename M::Ptr name,
                              typename M::Ptr name_size, typename M::Ptr id_out) {
  return detail::hostCall(h, "proxy_resolve_shared_queue", [&]() -> uint32_t {
    auto v = m.read(vm, vm_size);
    auto n = m.read(name, name_size);
    if (!v || !n) return detail::kIma;
    uint32_t id = 0;
    const Status s = h.hResolveSharedQueue(*v, *n, id);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU32(id_out, id) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_enqueue_shared_queue(Model& h, M& m, uint32_t id, typename M::Ptr data, typename M::Ptr size) {
  return detail::hostCall(h, "proxy_enqueue_shared_queue", [&]() -> uint32_t {
    auto d = m.read(data, size);
    if (!d) return detail::kIma;
    return detail::st(h.hEnqueueSharedQueue(id, *d));
  });
}

template <class M>
uint32_t proxy_dequeue_shared_queue(Model& h, M& m, uint32_t id, typename M::Ptr ret_ptr, typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_dequeue_shared_queue", [&]() -> uint32_t {
    std::string data;
    const Status s = h.hDequeueSharedQueue(id, data);
    if (s != Status::Ok) return detail::st(s);
    return detail::copyOut(h, m, data, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_define_metric(Model& h, M& m, uint32_t type, typename M::Ptr name, typename M::Ptr name_size,
                       typename M::Ptr id_out) {
  return detail::hostCall(h, "proxy_define_metric", [&]() -> uint32_t {
    if (type > kMaxMetricType) return detail::st(Status::BadArgument);
    auto n = m.read(name, name_size);
    if (!n) return detail::kIma;
    uint32_t id = 0;
    const Status s = h.hDefineMetric(type, *n, id);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU32(id_out, id) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_increment_metric(Model& h, M&, uint32_t id, int64_t delta) {
  return detail::hostCall(h, "proxy_increment_metric", [&]() -> uint32_t {
    return detail::st(h.hIncrementMetric(id, delta));
  });
}

template <class M>
uint32_t proxy_record_metric(Model& h, M&, uint32_t id, uint64_t value) {
  return detail::hostCall(h, "proxy_record_metric", [&]() -> uint32_t {
    return detail::st(h.hRecordMetric(id, value));
  });
}

template <class M>
uint32_t proxy_get_metric(Model& h, M& m, uint32_t id, typename M::Ptr out) {
  return detail::hostCall(h, "proxy_get_metric", [&]() -> uint32_t {
    uint64_t value = 0;
    const Status s = h.hGetMetric(id, value);
    if (s != Status::Ok) return detail::st(s);
    return m.writeU64(out, value) ? 0 : detail::kIma;
  });
}

template <class M>
uint32_t proxy_get_property(Model& h, M& m, typename M::Ptr path, typename M::Ptr path_size, typename M::Ptr ret_ptr,
                      typename M::Ptr ret_size) {
  return detail::hostCall(h, "proxy_get_property", [&]() -> uint32_t {
    auto p = m.read(path, path_size);
    if (!p) return detail::kIma;
    std::string value;
    const Status s = h.hGetProperty(*p, value);
    if (s != Status::Ok) return detail::st(s);
    return detail::copyOut(h, m, value, ret_ptr, ret_size);
  });
}

template <class M>
uint32_t proxy_set_property(Model& h, M& m, typename M::Ptr path, typename M::Ptr path_size, typename M::Ptr value,
                      typename M::Ptr value_size) {
  return detail::hostCall(h, "proxy_set_property", [&]() -> uint32_t {
    auto p = m.read(path, path_size);
    auto v = m.read(value, value_size);
    if (!p || !v) return detail::kIma;
    return detail::st(h.hSetProperty(*p, *v));
  });
}

// Visits every host function of the ABI list (abi.h) with its wire name:
// fn(name, &abi::<name><M>). Used by bindings that register imports by name (the engine)
// and by coverage tests. A function of the list without an adapter does not compile.
template <class M, class Fn>
void forEachHostFunction(Fn&& fn) {
#define PROXY_WASM_VISIT_HOST_FUNCTION(name, params, args, statuses) fn(#name, &name<M>);
  PROXY_WASM_ABI_V0_2_1_IMPORTS(PROXY_WASM_VISIT_HOST_FUNCTION)
#undef PROXY_WASM_VISIT_HOST_FUNCTION
}

}  // namespace proxy_wasm::host::abi
