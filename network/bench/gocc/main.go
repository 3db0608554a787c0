// Command envalue-bench-gocc is a benchmark fixture: a minimal Go chaincode run as a
// chaincode-as-a-service server, doing the same work as the Python probe contract
// (increment: read a composite key, write it, set an event; get: read it) so the
// shim's cost can be compared with the Python chaincode's on the same network.
//
// It is not product code. Environment: CHAINCODE_SERVER_ADDRESS (host:port to listen on)
// and CHAINCODE_ID (the package id the peer knows the chaincode by).
package main

import (
	"fmt"
	"log"
	"os"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

const counterObjectType = "counter"

// Counter implements shim.Chaincode with increment and get.
type Counter struct{}

// Init does nothing: the lifecycle does not require initialisation.
func (c *Counter) Init(stub shim.ChaincodeStubInterface) *peer.Response {
	return shim.Success(nil)
}

// Invoke dispatches on the function name.
func (c *Counter) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, args := stub.GetFunctionAndParameters()
	switch fn {
	case "increment":
		return c.increment(stub, args)
	case "get":
		return c.get(stub, args)
	default:
		return shim.Error(fmt.Sprintf("unknown function %q (known: increment, get)", fn))
	}
}

func counterKey(stub shim.ChaincodeStubInterface, args []string) (string, error) {
	if len(args) != 1 || args[0] == "" {
		return "", fmt.Errorf("expected one argument: the counter name")
	}
	return stub.CreateCompositeKey(counterObjectType, []string{args[0]})
}

func read(stub shim.ChaincodeStubInterface, key string) (int64, error) {
	raw, err := stub.GetState(key)
	if err != nil {
		return 0, err
	}
	if raw == nil {
		return 0, nil
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

func (c *Counter) increment(stub shim.ChaincodeStubInterface, args []string) *peer.Response {
	key, err := counterKey(stub, args)
	if err != nil {
		return shim.Error(err.Error())
	}
	value, err := read(stub, key)
	if err != nil {
		return shim.Error(err.Error())
	}
	next := []byte(strconv.FormatInt(value+1, 10))
	if err := stub.PutState(key, next); err != nil {
		return shim.Error(err.Error())
	}
	if err := stub.SetEvent("Incremented", []byte(args[0]+"="+string(next))); err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success(next)
}

func (c *Counter) get(stub shim.ChaincodeStubInterface, args []string) *peer.Response {
	key, err := counterKey(stub, args)
	if err != nil {
		return shim.Error(err.Error())
	}
	value, err := read(stub, key)
	if err != nil {
		return shim.Error(err.Error())
	}
	return shim.Success([]byte(strconv.FormatInt(value, 10)))
}

func main() {
	address := os.Getenv("CHAINCODE_SERVER_ADDRESS")
	ccid := os.Getenv("CHAINCODE_ID")
	if address == "" || ccid == "" {
		log.Fatal("CHAINCODE_SERVER_ADDRESS and CHAINCODE_ID must be set")
	}
	server := &shim.ChaincodeServer{
		CCID:     ccid,
		Address:  address,
		CC:       &Counter{},
		TLSProps: shim.TLSProperties{Disabled: true},
	}
	if err := server.Start(); err != nil {
		log.Fatalf("chaincode server on %s stopped: %v", address, err)
	}
}
