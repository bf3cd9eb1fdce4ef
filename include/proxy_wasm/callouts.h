// HTTP and gRPC callouts: the requests (built with named fields), the responses handed to
// your callback, and gRPC stream handlers. Calls are made with a context's members
// (ContextBase::httpCall, grpcCall, grpcStream); the response runs later, in a callback of
// the host, with the calling context effective (so a stream can resume or answer its
// request from it). If that context is gone by then, the response is dropped.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "proxy_wasm/detail/callout.h"
#include "proxy_wasm/hostcalls.h"

namespace proxy_wasm {

namespace detail {
/// Builds a serialized pairs map (the wire format: count, then every key/value length,
/// then every NUL-terminated key and value) as pairs are added: two growing buffers, no
/// string per pair.
class PairsBuilder {
 public:
  void add(std::string_view key, std::string_view value) {
    char sizes[8];
    storeU32(sizes, uint32_t(key.size()));
    storeU32(sizes + 4, uint32_t(value.size()));
    lengths_.append(sizes, sizeof(sizes));
    data_.append(key.data(), key.size()).push_back('\0');
    data_.append(value.data(), value.size()).push_back('\0');
    ++count_;
  }
  template <class Range>
  void addAll(const Range& pairs) {
    for (const auto& p : pairs) add(std::string_view(p.first), std::string_view(p.second));
  }
  bool empty() const { return count_ == 0; }
  /// The map in wire form; empty when no pair was added (hosts take that as no map).
  std::string serialize() const {
    if (count_ == 0) return std::string();
    std::string out(4, '\0');
    storeU32(out.data(), count_);
    out.reserve(4 + lengths_.size() + data_.size());
    out.append(lengths_).append(data_);
    return out;
  }

 private:
  std::string lengths_, data_;
  uint32_t count_ = 0;
};
}  // namespace detail

/// An HTTP callout, with named fields:
///
///   httpCall(HttpRequest("auth")
///                .header(":method", "GET").header(":path", "/check").header(":authority", "auth")
///                .timeout(std::chrono::seconds(1)),
///            [this](const HttpCallResponse& response) { ... });
///
/// Envoy requires :method, :path and :authority, and a known cluster (BadArgument otherwise).
class HttpRequest {
 public:
  /// A request to upstream `cluster` (an Envoy cluster name), with no header, body or timeout yet.
  explicit HttpRequest(std::string_view cluster) : cluster_(cluster) {}

  /// Adds header `key: value` (duplicates allowed; use lower-case keys).
  HttpRequest& header(std::string_view key, std::string_view value) & {
    headers_.add(key, value);
    return *this;
  }
  /// Adds a header to a temporary request (chained calls).
  HttpRequest&& header(std::string_view key, std::string_view value) && { return std::move(header(key, value)); }
  /// Adds every pair of any range of string pairs (initializer list, vector, HeaderMap, ...).
  template <class Range>
  HttpRequest& headers(const Range& pairs) & {
    headers_.addAll(pairs);
    return *this;
  }
  /// Adds every pair of a range to a temporary request (chained calls).
  template <class Range>
  HttpRequest&& headers(const Range& pairs) && {
    return std::move(headers(pairs));
  }
  /// Adds every pair of a braced list: `.headers({{":method", "GET"}, {":path", "/"}})`.
  HttpRequest& headers(std::initializer_list<HeaderPair> pairs) & { return headers<>(pairs); }
  /// Adds every pair of a braced list to a temporary request (chained calls).
  HttpRequest&& headers(std::initializer_list<HeaderPair> pairs) && { return std::move(headers<>(pairs)); }
  /// Sets the request body (copied); empty by default.
  HttpRequest& body(std::string_view bytes) & {
    body_.assign(bytes.data(), bytes.size());
    return *this;
  }
  /// Sets the body of a temporary request (chained calls).
  HttpRequest&& body(std::string_view bytes) && { return std::move(body(bytes)); }
  /// Adds trailer `key: value`.
  HttpRequest& trailer(std::string_view key, std::string_view value) & {
    trailers_.add(key, value);
    return *this;
  }
  /// Adds a trailer to a temporary request (chained calls).
  HttpRequest&& trailer(std::string_view key, std::string_view value) && { return std::move(trailer(key, value)); }
  /// Adds every pair of any range of string pairs as trailers.
  template <class Range>
  HttpRequest& trailers(const Range& pairs) & {
    trailers_.addAll(pairs);
    return *this;
  }
  /// Adds trailers to a temporary request (chained calls).
  template <class Range>
  HttpRequest&& trailers(const Range& pairs) && {
    return std::move(trailers(pairs));
  }
  /// No timeout (0) by default; Envoy refuses more than INT32_MAX ms with BadArgument.
  HttpRequest& timeout(std::chrono::milliseconds t) & {
    timeout_ms_ = t.count() <= 0 ? 0 : t.count() > 0xFFFFFFFFll ? 0xFFFFFFFFu : uint32_t(t.count());
    return *this;
  }
  /// Sets the timeout of a temporary request (chained calls).
  HttpRequest&& timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }

  /// The upstream cluster.
  std::string_view cluster() const { return cluster_; }
  /// The timeout in milliseconds; 0 for none.
  uint32_t timeoutMs() const { return timeout_ms_; }
  /// The headers in the pairs wire format; empty when none was added.
  std::string serializedHeaders() const { return headers_.serialize(); }
  /// The trailers in the pairs wire format; empty when none was added.
  std::string serializedTrailers() const { return trailers_.serialize(); }
  /// The body.
  std::string_view bodyBytes() const { return body_; }

 private:
  std::string cluster_;
  detail::PairsBuilder headers_, trailers_;
  std::string body_;
  uint32_t timeout_ms_ = 0;
};

/// A gRPC call or stream: cluster (or a serialized GrpcService), service, method, initial
/// metadata; for a unary call also the serialized request message and a timeout.
class GrpcRequest {
 public:
  /// A call of `service`/`method` ("package.Service", "Method") on upstream `cluster`: an
  /// Envoy cluster name, or a serialized envoy.config.core.v3.GrpcService.
  GrpcRequest(std::string_view cluster, std::string_view service, std::string_view method)
      : cluster_(cluster), service_(service), method_(method) {}

  /// Adds initial metadata `key: value`.
  GrpcRequest& metadata(std::string_view key, std::string_view value) & {
    metadata_.add(key, value);
    return *this;
  }
  /// Adds initial metadata to a temporary request (chained calls).
  GrpcRequest&& metadata(std::string_view key, std::string_view value) && { return std::move(metadata(key, value)); }
  /// Adds every pair of any range of string pairs as initial metadata.
  template <class Range>
  GrpcRequest& metadata(const Range& pairs) & {
    metadata_.addAll(pairs);
    return *this;
  }
  /// Adds initial metadata to a temporary request (chained calls).
  template <class Range>
  GrpcRequest&& metadata(const Range& pairs) && {
    return std::move(metadata(pairs));
  }
  /// Adds every pair of a braced list as initial metadata.
  GrpcRequest& metadata(std::initializer_list<HeaderPair> pairs) & { return metadata<>(pairs); }
  /// Adds a braced list of metadata to a temporary request (chained calls).
  GrpcRequest&& metadata(std::initializer_list<HeaderPair> pairs) && { return std::move(metadata<>(pairs)); }
  /// The serialized request message (bring your own protobuf codec). Unary calls only.
  GrpcRequest& message(std::string_view bytes) & {
    message_.assign(bytes.data(), bytes.size());
    return *this;
  }
  /// Sets the message of a temporary request (chained calls).
  GrpcRequest&& message(std::string_view bytes) && { return std::move(message(bytes)); }
  /// Unary calls only (v0.2.1 streams have no timeout); 0 = none.
  GrpcRequest& timeout(std::chrono::milliseconds t) & {
    timeout_ms_ = t.count() <= 0 ? 0 : t.count() > 0xFFFFFFFFll ? 0xFFFFFFFFu : uint32_t(t.count());
    return *this;
  }
  /// Sets the timeout of a temporary request (chained calls).
  GrpcRequest&& timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }

  /// The upstream: a cluster name or a serialized GrpcService.
  std::string_view cluster() const { return cluster_; }
  /// The fully qualified service name.
  std::string_view service() const { return service_; }
  /// The method name.
  std::string_view method() const { return method_; }
  /// The initial metadata in the pairs wire format; empty when none was added.
  std::string serializedMetadata() const { return metadata_.serialize(); }
  /// The serialized request message.
  std::string_view messageBytes() const { return message_; }
  /// The timeout in milliseconds; 0 for none.
  uint32_t timeoutMs() const { return timeout_ms_; }

 private:
  std::string cluster_, service_, method_;
  detail::PairsBuilder metadata_;
  std::string message_;
  uint32_t timeout_ms_ = 0;
};

/// The response to an HTTP callout, valid during the callback only.
class HttpCallResponse {
 public:
  /// Made by the SDK from proxy_on_http_call_response's arguments.
  HttpCallResponse(uint32_t token, uint32_t headers, size_t body_size, uint32_t trailers)
      : token_(token), headers_(headers), body_size_(body_size), trailers_(trailers) {}

  /// The token httpCall() returned for this call.
  uint32_t token() const { return token_; }
  /// The host reports a failed call (reset, timeout, no healthy upstream) with no headers.
  bool failed() const { return headers_ == 0; }
  /// Why the call failed (or Ok): the host's status code and message for this root's last
  /// callout (Envoy: BrokenConnection after a reset or timeout).
  PROXY_WASM_NODISCARD Result<CallStatus> failure() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getStatus();
  }
  /// The number of response headers; 0 when the call failed.
  uint32_t headerCount() const { return headers_; }
  /// The size of the response body.
  size_t bodySize() const { return body_size_; }
  /// The number of response trailers.
  uint32_t trailerCount() const { return trailers_; }

  /// A response header; absent when the response has none by that name.
  /// Statuses: Ok (present or absent); BadArgument when the call failed (there is no
  /// response); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> header(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::HttpCallResponseHeaders, key);
  }
  /// Every response header. Statuses: Ok (empty when the call failed); InvalidMemoryAccess;
  /// ParseFailure for a malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> headers() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::HttpCallResponseHeaders);
  }
  /// Bytes [start, start+max_size) of the response body, clamped to what exists. Statuses: Ok;
  /// NotFound when there is no body (a failed call); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> body(size_t start = 0, size_t max_size = kWholeBuffer) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getBufferBytes(BufferType::HttpCallResponseBody, start, max_size);
  }
  /// A response trailer; absent when the response has none by that name. Statuses: Ok (present
  /// or absent); BadArgument when the call failed; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> trailer(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::HttpCallResponseTrailers, key);
  }
  /// Every response trailer. Statuses: Ok (empty when there are none); InvalidMemoryAccess;
  /// ParseFailure for a malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> trailers() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::HttpCallResponseTrailers);
  }
  /// The `:status` header as a number; 0 when absent or not a number (or the call failed).
  uint32_t status() const {
    auto s = header(":status");
    if (!s || s->empty() || s->size() > 3) return 0;
    uint32_t code = 0;
    for (char c : s->view()) {
      if (c < '0' || c > '9') return 0;
      code = code * 10 + uint32_t(c - '0');
    }
    return code;
  }

 private:
  uint32_t token_;
  uint32_t headers_;
  size_t body_size_;
  uint32_t trailers_;
};

/// The outcome of a unary gRPC call, valid during the callback only.
class GrpcCallResponse {
 public:
  /// Made by the SDK from the gRPC callbacks.
  GrpcCallResponse(uint32_t token, GrpcStatus status, size_t message_size, bool replied)
      : token_(token), status_(status), message_size_(message_size), replied_(replied) {}

  /// The token grpcCall() returned for this call.
  uint32_t token() const { return token_; }
  /// True when the reply arrived. A call the host closed without a reply is not ok(), even
  /// when it reports status Ok (hosts expose an empty reply buffer then: not a reply).
  bool ok() const { return replied_; }
  /// The gRPC status: Ok with a reply; the host's gRPC status when the call closed.
  GrpcStatus status() const { return status_; }
  /// The size of the reply message; 0 without a reply.
  size_t messageSize() const { return message_size_; }
  /// The reply message (raw bytes; bring your own protobuf codec). NotFound unless ok().
  PROXY_WASM_NODISCARD Result<HostBuffer> message() const {
    if (!ok()) return Status::NotFound;
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getBufferBytes(BufferType::GrpcReceiveBuffer, 0, kWholeBuffer);
  }
  /// The host's status message for a failed call.
  /// Statuses: Ok (empty when the host gave none); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostString> statusMessage() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    auto st = detail::raw::getStatus();
    if (!st.ok()) return st.status();
    return std::move(st->message);
  }

 private:
  uint32_t token_;
  GrpcStatus status_;
  size_t message_size_;
  bool replied_;
};

class ContextBase;
namespace detail {
template <class>
class GrpcStreamCallout;
}  // namespace detail

/// Receives the events of a gRPC stream. Subclass it, and open the stream with
/// ContextBase::grpcStream(); the SDK owns the handler until the stream ends: after
/// onClose() (the SDK then also closes its side, as Envoy expects), after cancel(), or when
/// the context that opened it is deleted (the SDK then cancels the stream at the host).
class GrpcStreamHandler {
 public:
  /// A handler not yet bound to a stream (grpcStream() binds it).
  GrpcStreamHandler() = default;
  GrpcStreamHandler(const GrpcStreamHandler&) = delete;
  GrpcStreamHandler& operator=(const GrpcStreamHandler&) = delete;
  /// Deleted by the SDK when the stream ends (see above).
  virtual ~GrpcStreamHandler() = default;

  /// The stream's initial metadata arrived (`headers` entries): read it with
  /// initialMetadata() or initialMetadataValue() now.
  virtual void onInitialMetadata(uint32_t headers) { (void)headers; }
  /// A message of `size` bytes arrived: read it with message() now.
  virtual void onMessage(size_t size) { (void)size; }
  /// The trailing metadata arrived (`trailers` entries): read it with trailingMetadata() or
  /// trailingMetadataValue() now. onClose() follows.
  virtual void onTrailingMetadata(uint32_t trailers) { (void)trailers; }
  /// The remote closed the stream (or it failed). No event follows; the handler is deleted
  /// when this returns.
  virtual void onClose(GrpcStatus status) { (void)status; }

  /// The token grpcStream() returned for this stream; 0 before it is bound.
  uint32_t token() const { return token_; }
  /// Sends a message; end_stream half-closes the stream after it.
  /// Statuses: Ok; NotFound once the stream ended (or was cancelled); BadArgument (also when the
  /// context that opened it is gone); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Status send(std::string_view message, bool end_stream = false);
  /// Half-closes the stream (local end of stream); events keep arriving until onClose().
  /// Statuses: Ok; NotFound once the stream ended (or was cancelled); BadArgument.
  PROXY_WASM_NODISCARD Status close();
  /// Cancels the stream: no further event arrives, and the handler is deleted once the
  /// current callback returns (do not use it after cancel()).
  /// Statuses: Ok; NotFound once the stream ended (or was cancelled); BadArgument.
  PROXY_WASM_NODISCARD Status cancel();

  /// In callbacks: the metadata and message of the event being delivered.
  /// Statuses: Ok (present or absent); BadArgument in another callback; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> initialMetadataValue(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::GrpcReceiveInitialMetadata, key);
  }
  /// All initial metadata (in onInitialMetadata()). Statuses: Ok (empty in another callback);
  /// InvalidMemoryAccess; ParseFailure for a malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> initialMetadata() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::GrpcReceiveInitialMetadata);
  }
  /// A trailing-metadata value (in onTrailingMetadata()). Statuses: Ok (present or absent);
  /// BadArgument in another callback; InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Maybe<HostString> trailingMetadataValue(std::string_view key) const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapValue(MapType::GrpcReceiveTrailingMetadata, key);
  }
  /// All trailing metadata (in onTrailingMetadata()). Statuses: Ok (empty in another callback);
  /// InvalidMemoryAccess; ParseFailure for a malformed map.
  PROXY_WASM_NODISCARD Result<HeaderMap> trailingMetadata() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getHeaderMapPairs(MapType::GrpcReceiveTrailingMetadata);
  }
  /// The message being delivered (in onMessage()). Statuses: Ok (empty in another
  /// callback: Envoy keeps an empty buffer); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostBuffer> message() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    return detail::raw::getBufferBytes(BufferType::GrpcReceiveBuffer, 0, kWholeBuffer);
  }
  /// The host's status message (in onClose()). Statuses: Ok (empty when the host gave
  /// none); InvalidMemoryAccess.
  PROXY_WASM_NODISCARD Result<HostString> statusMessage() const {
    if (Status s = detail::actOnCurrent(); !s) return s;
    auto st = detail::raw::getStatus();
    if (!st.ok()) return st.status();
    return std::move(st->message);
  }

 private:
  friend class ContextBase;
  void bind(detail::Callout* callout, uint32_t token) {
    callout_ = callout;
    token_ = token;
  }
  uint32_t token_ = 0;
  detail::Callout* callout_ = nullptr;
};

namespace detail {

template <class F>
class HttpCallout final : public Callout {
 public:
  explicit HttpCallout(F&& fn) : Callout(Kind::Http), fn_(std::forward<F>(fn)) {}
  void onHttpResponse(uint32_t headers, size_t body_size, uint32_t trailers) override {
    fn_(HttpCallResponse(token, headers, body_size, trailers));
  }

 private:
  std::decay_t<F> fn_;
};

template <class F>
class GrpcCallCallout final : public Callout {
 public:
  explicit GrpcCallCallout(F&& fn) : Callout(Kind::GrpcCall), fn_(std::forward<F>(fn)) {}
  void onGrpcMessage(size_t size) override { fn_(GrpcCallResponse(token, GrpcStatus::Ok, size, true)); }
  void onGrpcClose(GrpcStatus status) override { fn_(GrpcCallResponse(token, status, 0, false)); }

 private:
  std::decay_t<F> fn_;
};

template <class H>
class GrpcStreamCallout final : public Callout {
 public:
  explicit GrpcStreamCallout(H* handler) : Callout(Kind::GrpcStream), handler_(handler) {}
  ~GrpcStreamCallout() override { delete handler_; }
  void onGrpcInitialMetadata(uint32_t headers) override { handler_->onInitialMetadata(headers); }
  void onGrpcMessage(size_t size) override { handler_->onMessage(size); }
  void onGrpcTrailingMetadata(uint32_t trailers) override { handler_->onTrailingMetadata(trailers); }
  void onGrpcClose(GrpcStatus status) override { handler_->onClose(status); }
  H* handler() const { return handler_; }

 private:
  H* handler_;
};

}  // namespace detail
}  // namespace proxy_wasm
