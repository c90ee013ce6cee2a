// Package pins keeps modules the tests read files from (the Gateway API CRDs) in go.mod and go.sum.
package pins

import _ "sigs.k8s.io/gateway-api/apis/v1"
