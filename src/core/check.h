#pragma once

// Internal invariants: on in debug builds, compiled out in release builds.

#include <cstdio>
#include <cstdlib>

#ifdef NDEBUG
#define EPROP_ASSERT(cond) ((void)0)
#else
#define EPROP_ASSERT(cond)                                                          \
  ((cond) ? (void)0                                                                 \
          : (std::fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, \
                          #cond),                                                   \
             std::abort()))
#endif
