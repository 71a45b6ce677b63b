//===- netc.cpp - The netc compiler driver --------------------------------===//
#include "driver/Driver.h"

int main(int argc, char **argv) { return netc::netcMain(argc, argv); }
