package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
)

// pyroBench runs examples/pyro4/bench_compare.py: Python Pyro4 client
// processes call actualizar_stock and obtener_producto on the node's
// inventario.servicio, then on a Python server built the way the exercise
// describes (a threading.Lock and a JSON file saved after every change),
// and it prints both and their ratio. A missed target is reported, not fatal.
func pyroBench(o options) error {
	if _, err := exec.LookPath("/usr/bin/python3"); err != nil {
		return fmt.Errorf("the Pyro4 bench needs /usr/bin/python3 with python3-pyro4 (make test-deps installs it)")
	}
	port := freePort()
	n, err := startNode(o, "--pyro", "127.0.0.1:"+port)
	if err != nil {
		return err
	}
	defer n.stop()
	const loads = "4,16,32" // client processes; the target is judged at the last
	fmt.Printf("\nPyro4: Python client processes (%s) calling actualizar_stock and obtener_producto\n", loads)
	cmd := exec.Command("/usr/bin/python3", "examples/pyro4/bench_compare.py",
		"--node", "PYRO:inventario.servicio@127.0.0.1:"+port, "--procs", loads,
		"--seconds", strconv.Itoa(int(o.duration.Seconds())))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		if _, missed := err.(*exec.ExitError); missed {
			fmt.Println("Pyro4 target (>= 3x the Python server at the largest load): NOT MET")
			return nil
		}
		return err
	}
	fmt.Println("Pyro4 target (>= 3x the Python server at the largest load): MET")
	return nil
}
