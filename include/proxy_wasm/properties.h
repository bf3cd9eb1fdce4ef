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

/// The raw bytes of property `path`, as the context whose work is running sees it (any
/// callback). Statuses: Ok, present or absent (the host has no such property, or not now: a
/// stream's attributes outside its stream); SerializationFailure when the host cannot
/// serialize the value; InvalidMemoryAccess; InternalFailure (Envoy, for some attributes);
/// BadArgument when the context whose work is running is gone.
PROXY_WASM_NODISCARD inline Maybe<HostBuffer> getProperty(const PropertyPath& path) { return getPropertyBytes(path); }

/// Stores `value` under `path` for the current stream (Envoy: filter state "wasm.<path>",
/// readable back with getProperty when the path is a single name — Envoy looks filter
/// state up by the first segment only). Call it from a stream's callbacks (or with the stream
/// current). Statuses: Ok; NotFound where there is no stream (a root context); BadArgument,
/// InvalidMemoryAccess.
PROXY_WASM_NODISCARD inline Status setProperty(const PropertyPath& path, std::string_view value) {
  return setPropertyBytes(path, value);
}

namespace detail {
/// A T stored in sizeof(T) bytes: absent and failures pass through; SerializationFailure
/// for a value of another size.
template <class T>
Maybe<T> fixedWidth(Maybe<HostBuffer> raw) {
  if (!raw) return raw.status();  // absent (Ok) or the failure
  if (raw->size() != sizeof(T)) return Status::SerializationFailure;  // not a value of this type
  T out;
  std::memcpy(&out, raw->data(), sizeof(T));  // hosts write native (little-endian) layout
  return out;
}
}  // namespace detail

/// A property as text (its raw bytes). Statuses: as getProperty(): Ok (present or absent),
/// SerializationFailure, or the host's failure.
PROXY_WASM_NODISCARD inline Maybe<HostString> getPropertyString(const PropertyPath& path) { return getPropertyBytes(path); }
/// An int64 property (8 bytes). Statuses: Ok (present or absent); SerializationFailure for a
/// value of another size; the host's failure (as getProperty()).
PROXY_WASM_NODISCARD inline Maybe<int64_t> getPropertyInt(const PropertyPath& path) {
  return detail::fixedWidth<int64_t>(getPropertyBytes(path));
}
/// A uint64 property (8 bytes). Statuses: Ok (present or absent); SerializationFailure for a
/// value of another size; the host's failure (as getProperty()).
PROXY_WASM_NODISCARD inline Maybe<uint64_t> getPropertyUint(const PropertyPath& path) {
  return detail::fixedWidth<uint64_t>(getPropertyBytes(path));
}
/// A double property (8 bytes, IEEE 754). Statuses: Ok (present or absent);
/// SerializationFailure for a value of another size; the host's failure (as getProperty()).
PROXY_WASM_NODISCARD inline Maybe<double> getPropertyDouble(const PropertyPath& path) {
  return detail::fixedWidth<double>(getPropertyBytes(path));
}
/// Booleans are one byte.
/// Statuses: Ok (present or absent); SerializationFailure for a value of another size; the
/// host's failure (as getProperty()).
PROXY_WASM_NODISCARD inline Maybe<bool> getPropertyBool(const PropertyPath& path) {
  auto raw = getPropertyBytes(path);
  if (!raw) return raw.status();  // absent (Ok) or the failure
  if (raw->size() != 1) return Status::SerializationFailure;
  return raw->data()[0] != 0;
}
/// Durations (e.g. request.duration) as nanoseconds.
/// Statuses: Ok (present or absent); SerializationFailure for a value that is not 8 bytes;
/// the host's failure (as getProperty()).
PROXY_WASM_NODISCARD inline Maybe<std::chrono::nanoseconds> getPropertyDuration(const PropertyPath& path) {
  auto ns = getPropertyInt(path);
  if (!ns) return ns.status();  // absent (Ok) or the failure
  return std::chrono::nanoseconds(*ns);
}
/// Timestamps (e.g. request.time) as nanoseconds since the Unix epoch.
/// Statuses: Ok (present or absent); SerializationFailure for a value that is not 8 bytes;
/// the host's failure (as getProperty()).
PROXY_WASM_NODISCARD inline Maybe<std::chrono::nanoseconds> getPropertyTimestamp(const PropertyPath& path) {
  return getPropertyDuration(path);
}
/// Maps (e.g. request.headers) are serialized as pairs.
/// Statuses: Ok (present or absent); SerializationFailure when the bytes are not a valid
/// pairs map; the host's failure (as getProperty()).
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
  /// Walks the elements in order, each a view into the list's bytes.
  class iterator {
   public:
    /// A forward iterator.
    using iterator_category = std::forward_iterator_tag;
    /// An element.
    using value_type = std::string_view;
    /// For std::iterator_traits.
    using difference_type = std::ptrdiff_t;
    /// For std::iterator_traits (operator* yields by value).
    using pointer = const std::string_view*;
    /// Yielded by value: a view of the element.
    using reference = std::string_view;
    /// The element at `it` of the underlying map.
    explicit iterator(PairsView::iterator it) : it_(it) {}
    /// The current element, valid while the list lives.
    std::string_view operator*() const { return (*it_).first; }
    /// Moves to the next element.
    iterator& operator++() {
      ++it_;
      return *this;
    }
    /// True at the same element of the same list.
    friend bool operator==(const iterator& a, const iterator& b) { return a.it_ == b.it_; }
    friend bool operator!=(const iterator& a, const iterator& b) { return a.it_ != b.it_; }

   private:
    PairsView::iterator it_;
  };
  /// An empty list.
  PropertyList() = default;
  /// The list that `map` encodes (each element a key).
  explicit PropertyList(HeaderMap map) : map_(std::move(map)) {}
  /// The number of elements.
  size_t size() const { return map_.size(); }
  /// The first element.
  iterator begin() const { return iterator(map_.begin()); }
  /// Past the last element.
  iterator end() const { return iterator(map_.end()); }

 private:
  HeaderMap map_;
};

/// A list property (e.g. a certificate's DNS SANs). Statuses: Ok (present or absent);
/// SerializationFailure when the bytes are not a valid pairs map; the host's failure.
PROXY_WASM_NODISCARD inline Maybe<PropertyList> getPropertyList(const PropertyPath& path) {
  auto map = getPropertyMap(path);
  if (!map) return map.status();
  return PropertyList(std::move(*map));
}

/// The common Envoy/Istio attributes
/// (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/advanced/attributes),
/// typed. Each reads as the context whose work is running: request and response attributes
/// from an HTTP stream's callbacks, connection and peer attributes from a stream or
/// connection, configuration attributes from any callback; elsewhere they are absent. Each
/// answers Ok (present or absent), SerializationFailure for a value of another type, or the
/// host's failure (as getProperty()).
namespace attributes {
/// `request.path`: the path with its query string.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestPath() {
  static constexpr auto kPath = propertyPath("request", "path");
  return getPropertyString(kPath);
}
/// `request.url_path`: the path without the query string.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestUrlPath() {
  static constexpr auto kPath = propertyPath("request", "url_path");
  return getPropertyString(kPath);
}
/// `request.host`: the `:authority`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestHost() {
  static constexpr auto kPath = propertyPath("request", "host");
  return getPropertyString(kPath);
}
/// `request.scheme`: "http" or "https".
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestScheme() {
  static constexpr auto kPath = propertyPath("request", "scheme");
  return getPropertyString(kPath);
}
/// `request.method`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestMethod() {
  static constexpr auto kPath = propertyPath("request", "method");
  return getPropertyString(kPath);
}
/// `request.id`: the `x-request-id`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestId() {
  static constexpr auto kPath = propertyPath("request", "id");
  return getPropertyString(kPath);
}
/// `request.protocol`: "HTTP/1.1", "HTTP/2", ...
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestProtocol() {
  static constexpr auto kPath = propertyPath("request", "protocol");
  return getPropertyString(kPath);
}
/// `request.useragent`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> requestUserAgent() {
  static constexpr auto kPath = propertyPath("request", "useragent");
  return getPropertyString(kPath);
}
/// `request.headers`: every request header (a map).
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HeaderMap> requestHeaders() {
  static constexpr auto kPath = propertyPath("request", "headers");
  return getPropertyMap(kPath);
}
/// `request.time`: when the first byte arrived, ns since the Unix epoch.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<std::chrono::nanoseconds> requestTime() {
  static constexpr auto kPath = propertyPath("request", "time");
  return getPropertyTimestamp(kPath);
}
/// `request.duration`: time since the first byte of the request.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<std::chrono::nanoseconds> requestDuration() {
  static constexpr auto kPath = propertyPath("request", "duration");
  return getPropertyDuration(kPath);
}
/// `request.size`: the request body size (Content-Length when present).
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> requestSize() {
  static constexpr auto kPath = propertyPath("request", "size");
  return getPropertyInt(kPath);
}
/// `request.total_size`: the request size, headers included.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> requestTotalSize() {
  static constexpr auto kPath = propertyPath("request", "total_size");
  return getPropertyInt(kPath);
}
/// `response.code`: the HTTP status code.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> responseCode() {
  static constexpr auto kPath = propertyPath("response", "code");
  return getPropertyInt(kPath);
}
/// `response.code_details`: Envoy's response-code details.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> responseCodeDetails() {
  static constexpr auto kPath = propertyPath("response", "code_details");
  return getPropertyString(kPath);
}
/// `response.flags`: Envoy's response flags (a bit set).
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<uint64_t> responseFlags() {
  static constexpr auto kPath = propertyPath("response", "flags");
  return getPropertyUint(kPath);
}
/// `response.grpc_status`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> responseGrpcStatus() {
  static constexpr auto kPath = propertyPath("response", "grpc_status");
  return getPropertyInt(kPath);
}
/// `response.headers`: every response header (a map).
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HeaderMap> responseHeaders() {
  static constexpr auto kPath = propertyPath("response", "headers");
  return getPropertyMap(kPath);
}
/// `response.trailers`: every response trailer (a map).
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HeaderMap> responseTrailers() {
  static constexpr auto kPath = propertyPath("response", "trailers");
  return getPropertyMap(kPath);
}
/// `response.size`: the response body size.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> responseSize() {
  static constexpr auto kPath = propertyPath("response", "size");
  return getPropertyInt(kPath);
}
/// `response.total_size`: the response size, headers included.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> responseTotalSize() {
  static constexpr auto kPath = propertyPath("response", "total_size");
  return getPropertyInt(kPath);
}
/// `connection.id`: the downstream connection's id.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<uint64_t> connectionId() {
  static constexpr auto kPath = propertyPath("connection", "id");
  return getPropertyUint(kPath);
}
/// `connection.mtls`: true when the client presented a verified certificate.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<bool> connectionMtls() {
  static constexpr auto kPath = propertyPath("connection", "mtls");
  return getPropertyBool(kPath);
}
/// `connection.requested_server_name`: the SNI.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> connectionRequestedServerName() {
  static constexpr auto kPath = propertyPath("connection", "requested_server_name");
  return getPropertyString(kPath);
}
/// `connection.tls_version`, e.g. "TLSv1.3".
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> connectionTlsVersion() {
  static constexpr auto kPath = propertyPath("connection", "tls_version");
  return getPropertyString(kPath);
}
/// `connection.termination_details`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> connectionTerminationDetails() {
  static constexpr auto kPath = propertyPath("connection", "termination_details");
  return getPropertyString(kPath);
}
/// `source.address`: the downstream peer's "ip:port".
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> sourceAddress() {
  static constexpr auto kPath = propertyPath("source", "address");
  return getPropertyString(kPath);
}
/// `source.port`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> sourcePort() {
  static constexpr auto kPath = propertyPath("source", "port");
  return getPropertyInt(kPath);
}
/// `destination.address`: the local address the connection reached.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> destinationAddress() {
  static constexpr auto kPath = propertyPath("destination", "address");
  return getPropertyString(kPath);
}
/// `destination.port`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> destinationPort() {
  static constexpr auto kPath = propertyPath("destination", "port");
  return getPropertyInt(kPath);
}
/// `upstream.address`: the upstream host's "ip:port".
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> upstreamAddress() {
  static constexpr auto kPath = propertyPath("upstream", "address");
  return getPropertyString(kPath);
}
/// `upstream.port`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<int64_t> upstreamPort() {
  static constexpr auto kPath = propertyPath("upstream", "port");
  return getPropertyInt(kPath);
}
/// `upstream.tls_version`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> upstreamTlsVersion() {
  static constexpr auto kPath = propertyPath("upstream", "tls_version");
  return getPropertyString(kPath);
}
/// `cluster_name`: the route's upstream cluster.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> clusterName() {
  static constexpr auto kPath = propertyPath("cluster_name");
  return getPropertyString(kPath);
}
/// `route_name`.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> routeName() {
  static constexpr auto kPath = propertyPath("route_name");
  return getPropertyString(kPath);
}
/// `plugin_name`: the configured plugin name.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> pluginName() {
  static constexpr auto kPath = propertyPath("plugin_name");
  return getPropertyString(kPath);
}
/// `plugin_root_id`: the root id this plugin was configured with.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> pluginRootId() {
  static constexpr auto kPath = propertyPath("plugin_root_id");
  return getPropertyString(kPath);
}
/// `plugin_vm_id`: the VM id.
/// Statuses: Ok (present or absent), SerializationFailure, or the host's failure.
inline Maybe<HostString> pluginVmId() {
  static constexpr auto kPath = propertyPath("plugin_vm_id");
  return getPropertyString(kPath);
}
}  // namespace attributes

}  // namespace proxy_wasm
