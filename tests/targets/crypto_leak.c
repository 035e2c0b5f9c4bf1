/* crypto_leak: leaks OpenSSL contexts at a constant rate from one application function,
 * leak_cipher_contexts(): each step creates an AES-256-CBC cipher context and a SHA-256 digest
 * context, initialises both (which allocates their provider state inside libcrypto) and never
 * frees them. The allocations happen in libcrypto, which Debian builds without frame pointers,
 * so finding leak_cipher_contexts in the stack needs an unwinder that gets through it.
 * Usage: crypto_leak [SECONDS=60] [CONTEXT_PAIRS_PER_SEC=500] */
#include <openssl/evp.h>

#include "target_common.h"

static const unsigned char key[32] = {1, 2, 3, 4, 5, 6, 7, 8};
static const unsigned char iv[16] = {9, 10, 11, 12};

/* Kept reachable, as a program that stores contexts in a table and forgets them would. */
static void* leaked_contexts[1 << 20];
static size_t leaked_count;

__attribute__((noinline)) int leak_cipher_contexts(int pairs) {
  for (int i = 0; i < pairs; ++i) {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    EVP_MD_CTX* m = EVP_MD_CTX_new();
    if (c == NULL || m == NULL) return -1;
    if (EVP_EncryptInit_ex(c, EVP_aes_256_cbc(), NULL, key, iv) != 1) return -1;
    if (EVP_DigestInit_ex(m, EVP_sha256(), NULL) != 1) return -1;
    if (leaked_count + 2 <= sizeof leaked_contexts / sizeof leaked_contexts[0]) {
      leaked_contexts[leaked_count++] = c;
      leaked_contexts[leaked_count++] = m;
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  double seconds = target_arg(argc, argv, 1, 60);
  double rate = target_arg(argc, argv, 2, 500);
  double done = 0;
  double start = target_now();
  for (;;) {
    double t = target_now() - start;
    if (t >= seconds) break;
    int due = (int)(rate * t - done);
    if (due > 0) {
      if (leak_cipher_contexts(due) < 0) {
        fprintf(stderr, "crypto_leak: OpenSSL failed\n");
        return 1;
      }
      done += due;
    }
    target_sleep_ms(20);
  }
  return 0;
}
