//go:build !unix

package config

// openNoFollow is empty where the flags do not exist; readRegular's fstat still refuses
// anything but a regular file.
const openNoFollow = 0
