#include "core/plan/forward_only.hpp"

#include <gtest/gtest.h>

using ms::core::listed_project;

TEST(ForwardOnly, AProjectIsListedByName) {
    EXPECT_TRUE(listed_project("analytics", "analytics"));
    EXPECT_TRUE(listed_project("billing, analytics", "analytics"));
    EXPECT_TRUE(listed_project(" billing ,analytics ", "billing"));
    EXPECT_FALSE(listed_project("billing, analytics", "default"));
    EXPECT_FALSE(listed_project("analytics2", "analytics"));
}

TEST(ForwardOnly, AStarNamesEveryProject) {
    EXPECT_TRUE(listed_project("*", "default"));
    EXPECT_TRUE(listed_project("billing, *", "anything"));
}

TEST(ForwardOnly, EmptyListsNameNothing) {
    EXPECT_FALSE(listed_project("", "default"));
    EXPECT_FALSE(listed_project(" , ", ""));
}

TEST(ForwardOnly, QuotedNamesKeepTheirCommasOut) {
    EXPECT_TRUE(listed_project("\"Billing\"", "Billing"));
    EXPECT_FALSE(listed_project("\"Billing\"", "\"Billing\""));
}
