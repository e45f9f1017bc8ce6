// Owned secret bytes that are wiped (OPENSSL_cleanse) before their memory is released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "wire/bytes.h"

namespace mikey::crypto {

// A fixed-size buffer of secret bytes (keys, PRF output, decrypted key data). The size is fixed
// at construction so the buffer is never reallocated behind our back (a std::vector would leave
// uncleansed copies when it grows). Move-only; clone() makes an explicit copy. The destructor,
// move assignment and clear() cleanse the old contents before freeing them.
class SecureBytes {
 public:
  SecureBytes() noexcept = default;
  // `size` zero bytes. Like std::vector, throws std::bad_alloc when memory runs out; the
  // library's noexcept functions catch it and return Errc::out_of_memory.
  explicit SecureBytes(std::size_t size);
  // A copy of `data`. Throws std::bad_alloc like the constructor above.
  explicit SecureBytes(ByteView data);

  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;  // cleanses the replaced buffer
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  ~SecureBytes();

  // An independent copy. Throws std::bad_alloc like the constructors.
  SecureBytes clone() const;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const std::uint8_t* data() const noexcept { return data_.get(); }
  std::uint8_t* data() noexcept { return data_.get(); }
  ByteView view() const noexcept { return {data_.get(), size_}; }
  std::span<std::uint8_t> span() noexcept { return {data_.get(), size_}; }

  // Cleanses and releases the buffer; the object becomes empty.
  void clear() noexcept;

  // Test hook: called with the buffer right after it was cleansed and before it is freed, so a
  // test can check that the bytes really are zero. Production code never sets it. Pass nullptr
  // to remove it.
  using CleanseObserver = void (*)(const std::uint8_t* data, std::size_t size) noexcept;
  static void set_cleanse_observer(CleanseObserver observer) noexcept;

 private:
  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
};

// True when a and b have the same length and the same bytes. The comparison of equal-length
// inputs takes time independent of their contents (CRYPTO_memcmp); lengths are not secret.
bool constant_time_equal(ByteView a, ByteView b) noexcept;

}  // namespace mikey::crypto
