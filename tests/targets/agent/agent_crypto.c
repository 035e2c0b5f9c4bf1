/* Leaks OpenSSL cipher and digest contexts (EVP_*_CTX_new without _free) from leak_crypto():
 * the allocations happen inside libcrypto (built without frame pointers), and the agent's stacks
 * must still reach leak_crypto. Stage: ready. */
#include <openssl/evp.h>

#include "scenario_common.h"

__attribute__((noinline)) void leak_crypto(void) {
  for (int i = 0; i < 16; ++i) {
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    EVP_MD_CTX* m = EVP_MD_CTX_new();
    (void)c;
    (void)m;
  }
}

int main(void) {
  SCENARIO_SYM(leak_crypto);
  SCENARIO_SYM(main);
  leak_crypto();
  scenario_ready();
  return 0;
}
