// shared_queue: one module, two plugins (root ids) that talk through a shared queue.
//
//   receiver  registers queue `http_requests` of its VM on configure; when notified,
//             dequeues until the queue is empty and logs `dequeued: ITEM` for each item.
//   sender    an HTTP filter: resolves `http_requests` of its own VM on every request and
//             enqueues `METHOD PATH`; while the queue does not exist it logs
//             `queue not ready` and drops the item.
//
// Queues are process-wide, keyed by (vm_id, name): the receiver can run on Envoy's main
// thread (a bootstrap singleton) and the senders on the workers, in one vm_id.
#include <proxy_wasm/proxy_wasm.h>

#include <string>
#include <string_view>

namespace {

constexpr std::string_view kQueueName = "http_requests";

class ReceiverRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;

  // Registering again (a new configuration) reopens the same queue, items included.
  bool onConfigure(size_t) override {
    auto queue = proxy_wasm::SharedQueue::registerQueue(kQueueName);
    if (!queue) {
      proxy_wasm::logError("cannot register queue ", kQueueName, ": ", queue.status());
      return false;
    }
    return true;
  }

  // One notification per enqueued item, but an earlier notification may already have
  // taken it: drain whatever is there.
  void onQueueReady(uint32_t queue_id) override {
    const proxy_wasm::SharedQueue queue(queue_id);
    for (;;) {
      auto item = queue.dequeue();
      if (!item) {  // empty (absent), or a failure
        if (!item.ok()) proxy_wasm::logWarn("cannot dequeue from queue ", queue_id, ": ", item.status());
        return;
      }
      proxy_wasm::logInfo("dequeued: ", *item);
    }
  }
};

class SenderContext : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;

  proxy_wasm::Action onRequestHeaders(uint32_t, bool) override {
    // Resolved on every request: the receiver may register the queue at any time.
    auto queue = proxy_wasm::SharedQueue::resolve(/*vm_id=*/"", kQueueName);  // "" = this VM's vm_id
    if (!queue) {
      if (queue.ok()) {
        proxy_wasm::logWarn("queue not ready");  // absent: not registered yet
      } else {
        proxy_wasm::logWarn("cannot resolve queue ", kQueueName, ": ", queue.status());
      }
      return proxy_wasm::Action::Continue;
    }
    std::string item(pseudoHeader(":method"));
    item += ' ';
    item += pseudoHeader(":path");
    if (auto s = queue->enqueue(item); !s) proxy_wasm::logWarn("cannot enqueue to ", kQueueName, ": ", s);
    return proxy_wasm::Action::Continue;
  }

 private:
  // The request's value for `name`, or "-" when it has none.
  std::string pseudoHeader(std::string_view name) const {
    auto value = getRequestHeader(name);
    if (!value.ok()) proxy_wasm::logWarn("cannot read ", name, ": ", value.status());
    return value ? value->str() : std::string("-");
  }
};

proxy_wasm::RegisterContextFactory<ReceiverRoot> receiver{"receiver"};
proxy_wasm::RegisterContextFactory<proxy_wasm::RootContext, SenderContext> sender{"sender"};

}  // namespace
