#include "crypto/secure_bytes.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <atomic>

namespace mikey::crypto {

namespace {
std::atomic<SecureBytes::CleanseObserver> g_cleanse_observer{nullptr};
}  // namespace

SecureBytes::SecureBytes(std::size_t size) : data_(new std::uint8_t[size]()), size_(size) {}

SecureBytes::SecureBytes(ByteView data) : SecureBytes(data.size()) {
  std::copy(data.begin(), data.end(), data_.get());
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    clear();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecureBytes::~SecureBytes() { clear(); }

SecureBytes SecureBytes::clone() const { return SecureBytes(view()); }

void SecureBytes::clear() noexcept {
  if (data_ != nullptr) {
    OPENSSL_cleanse(data_.get(), size_);
    if (CleanseObserver observer = g_cleanse_observer.load(); observer != nullptr) {
      observer(data_.get(), size_);
    }
  }
  data_.reset();
  size_ = 0;
}

void SecureBytes::set_cleanse_observer(CleanseObserver observer) noexcept {
  g_cleanse_observer.store(observer);
}

bool constant_time_equal(ByteView a, ByteView b) noexcept {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mikey::crypto
