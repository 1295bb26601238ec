package api

// Version is bitbeacon's version. `bitbeacon version`, /info and /service-info report it
// (unless a configuration sets its own `version`). A release build sets it with
//
//	go build -ldflags "-X github.com/bitbeacon/bitbeacon/api.Version=v1.2.3" ./cmd/bitbeacon
var Version = "v0.3.0-dev"
