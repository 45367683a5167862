// SPDX-License-Identifier: GPL-2.0 OR MIT
// Catch2 v2 entry point for unit_tests; the test cases live in test_*.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
