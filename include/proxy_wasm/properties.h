// Properties: typed reads of host attributes ({"request", "path"}, {"source", "port"}, ...)
// and writes of the plugin's own (filter state), as the context whose work is running sees
// them (ContextBase::getProperty reads as one given context). A path the host does not
// know is absent (an empty Maybe); a value of the wrong shape is SerializationFailure.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "proxy_wasm/hostcalls.h"
#include "proxy_wasm/pairs.h"

namespace proxy_wasm {

/// The raw bytes of a property.
PROXY_WASM_NODISCARD inline Maybe<HostBuffer> getProperty(const PropertyPath& path) { return getPropertyBytes(path); }

/// Stores `value` under `path` for the current stream (Envoy: filter state "wasm.<path>",
/// readable back with getProperty when the path is a single name — Envoy looks filter
/// state up by the first segment only). NotFound where there is no stream (a root context).
PROXY_WASM_NODISCARD inline Status setProperty(const PropertyPath& path, std::string_view value) {
  return setPropertyBytes(path, value);
}

namespace detail {
template <class T>
Maybe<T> fixedWidth(Maybe<HostBuffer> raw) {
  if (!raw) return raw.status();  // absent (Ok) or the failure
  if (raw->size() != sizeof(T)) return Status::SerializationFailure;  // not a value of this type
  T out;
  std::memcpy(&out, raw->data(), sizeof(T));  // hosts write native (little-endian) layout
  return out;
}
}  // namespace detail

PROXY_WASM_NODISCARD inline Maybe<HostString> getPropertyString(const PropertyPath& path) { return getPropertyBytes(path); }
PROXY_WASM_NODISCARD inline Maybe<int64_t> getPropertyInt(const PropertyPath& path) {
  return detail::fixedWidth<int64_t>(getPropertyBytes(path));
}
PROXY_WASM_NODISCARD inline Maybe<uint64_t> getPropertyUint(const PropertyPath& path) {
  return detail::fixedWidth<uint64_t>(getPropertyBytes(path));
}
PROXY_WASM_NODISCARD inline Maybe<double> getPropertyDouble(const PropertyPath& path) {
  return detail::fixedWidth<double>(getPropertyBytes(path));
}
/// Booleans are one byte.
PROXY_WASM_NODISCARD inline Maybe<bool> getPropertyBool(const PropertyPath& path) {
  auto raw = getPropertyBytes(path);
  if (!raw) return raw.status();  // absent (Ok) or the failure
  if (raw->size() != 1) return Status::SerializationFailure;
  return raw->data()[0] != 0;
}
/// Durations (e.g. request.duration) as nanoseconds.
PROXY_WASM_NODISCARD inline Maybe<std::chrono::nanoseconds> getPropertyDuration(const PropertyPath& path) {
  auto ns = getPropertyInt(path);
  if (!ns) return ns.status();  // absent (Ok) or the failure
  return std::chrono::nanoseconds(*ns);
}
/// Timestamps (e.g. request.time) as nanoseconds since the Unix epoch.
PROXY_WASM_NODISCARD inline Maybe<std::chrono::nanoseconds> getPropertyTimestamp(const PropertyPath& path) {
  return getPropertyDuration(path);
}
/// Maps (e.g. request.headers) are serialized as pairs.
PROXY_WASM_NODISCARD inline Maybe<HeaderMap> getPropertyMap(const PropertyPath& path) {
  auto raw = getPropertyBytes(path);
  if (!raw) return raw.status();
  auto view = PairsView::parse(raw->view());
  if (!view) return Status::SerializationFailure;
  return HeaderMap(std::move(*raw), *view);
}

/// A list property: serialized as pairs with each element in the key and empty values.
class PropertyList {
 public:
  class iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;
    explicit iterator(PairsView::iterator it) : it_(it) {}
    std::string_view operator*() const { return (*it_).first; }
    iterator& operator++() {
      ++it_;
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.it_ == b.it_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return a.it_ != b.it_; }

   private:
    PairsView::iterator it_;
  };
  PropertyList() = default;
  explicit PropertyList(HeaderMap map) : map_(std::move(map)) {}
  size_t size() const { return map_.size(); }
  iterator begin() const { return iterator(map_.begin()); }
  iterator end() const { return iterator(map_.end()); }

 private:
  HeaderMap map_;
};

PROXY_WASM_NODISCARD inline Maybe<PropertyList> getPropertyList(const PropertyPath& path) {
  auto map = getPropertyMap(path);
  if (!map) return map.status();
  return PropertyList(std::move(*map));
}

// The common Envoy/Istio attributes (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes).
namespace attributes {
/// Request.
inline Maybe<HostString> requestPath() { return getPropertyString({"request", "path"}); }
inline Maybe<HostString> requestUrlPath() { return getPropertyString({"request", "url_path"}); }
inline Maybe<HostString> requestHost() { return getPropertyString({"request", "host"}); }
inline Maybe<HostString> requestScheme() { return getPropertyString({"request", "scheme"}); }
inline Maybe<HostString> requestMethod() { return getPropertyString({"request", "method"}); }
inline Maybe<HostString> requestId() { return getPropertyString({"request", "id"}); }
inline Maybe<HostString> requestProtocol() { return getPropertyString({"request", "protocol"}); }
inline Maybe<HostString> requestUserAgent() { return getPropertyString({"request", "useragent"}); }
inline Maybe<HeaderMap> requestHeaders() { return getPropertyMap({"request", "headers"}); }
inline Maybe<std::chrono::nanoseconds> requestTime() { return getPropertyTimestamp({"request", "time"}); }
inline Maybe<std::chrono::nanoseconds> requestDuration() { return getPropertyDuration({"request", "duration"}); }
inline Maybe<int64_t> requestSize() { return getPropertyInt({"request", "size"}); }
inline Maybe<int64_t> requestTotalSize() { return getPropertyInt({"request", "total_size"}); }
/// Response.
inline Maybe<int64_t> responseCode() { return getPropertyInt({"response", "code"}); }
inline Maybe<HostString> responseCodeDetails() { return getPropertyString({"response", "code_details"}); }
inline Maybe<uint64_t> responseFlags() { return getPropertyUint({"response", "flags"}); }
inline Maybe<int64_t> responseGrpcStatus() { return getPropertyInt({"response", "grpc_status"}); }
inline Maybe<HeaderMap> responseHeaders() { return getPropertyMap({"response", "headers"}); }
inline Maybe<HeaderMap> responseTrailers() { return getPropertyMap({"response", "trailers"}); }
inline Maybe<int64_t> responseSize() { return getPropertyInt({"response", "size"}); }
inline Maybe<int64_t> responseTotalSize() { return getPropertyInt({"response", "total_size"}); }
/// Connection.
inline Maybe<uint64_t> connectionId() { return getPropertyUint({"connection", "id"}); }
inline Maybe<bool> connectionMtls() { return getPropertyBool({"connection", "mtls"}); }
inline Maybe<HostString> connectionRequestedServerName() { return getPropertyString({"connection", "requested_server_name"}); }
inline Maybe<HostString> connectionTlsVersion() { return getPropertyString({"connection", "tls_version"}); }
inline Maybe<HostString> connectionTerminationDetails() { return getPropertyString({"connection", "termination_details"}); }
/// Peers.
inline Maybe<HostString> sourceAddress() { return getPropertyString({"source", "address"}); }
inline Maybe<int64_t> sourcePort() { return getPropertyInt({"source", "port"}); }
inline Maybe<HostString> destinationAddress() { return getPropertyString({"destination", "address"}); }
inline Maybe<int64_t> destinationPort() { return getPropertyInt({"destination", "port"}); }
inline Maybe<HostString> upstreamAddress() { return getPropertyString({"upstream", "address"}); }
inline Maybe<int64_t> upstreamPort() { return getPropertyInt({"upstream", "port"}); }
inline Maybe<HostString> upstreamTlsVersion() { return getPropertyString({"upstream", "tls_version"}); }
/// Configuration.
inline Maybe<HostString> clusterName() { return getPropertyString("cluster_name"); }
inline Maybe<HostString> routeName() { return getPropertyString("route_name"); }
inline Maybe<HostString> pluginName() { return getPropertyString("plugin_name"); }
inline Maybe<HostString> pluginRootId() { return getPropertyString("plugin_root_id"); }
inline Maybe<HostString> pluginVmId() { return getPropertyString("plugin_vm_id"); }
}  // namespace attributes

}  // namespace proxy_wasm
