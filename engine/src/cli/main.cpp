// The babygpt program (placeholder until the command-line interface lands).
#include <cstdio>

int main() {
  std::puts("babygpt: the command-line interface is not built yet");
  return 1;
}
