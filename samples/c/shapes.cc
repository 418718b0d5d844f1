// shapes.cc — polymorphic C++ objects: memdump names their classes from the vtable pointers.
//
//   build/bin/memdump run --at-exit -- build/samples/shapes
//   build/bin/memanalyze shapes.*.dump        nodes typed 6Circle, 6Square, 8Triangle (mangled)
//
// 30 circles, 20 squares and 10 triangles are kept in a std::vector of base pointers; a plain
// struct (no vtable) and a std::string buffer stay untyped.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

struct Shape {
    virtual ~Shape() {}
    virtual double area() const = 0;
};
struct Circle : Shape {
    double r;
    explicit Circle(double r_) : r(r_) {}
    double area() const override { return 3.14159 * r * r; }
};
struct Square : Shape {
    double s;
    explicit Square(double s_) : s(s_) {}
    double area() const override { return s * s; }
};
struct Triangle : Shape {
    double b, h;
    Triangle(double b_, double h_) : b(b_), h(h_) {}
    double area() const override { return b * h / 2; }
};
struct Plain { long a, b; };

static std::vector<Shape *> *shapes;
static Plain *plain;
static std::string *name;

int main()
{
    shapes = new std::vector<Shape *>();
    for (int i = 0; i < 30; i++) shapes->push_back(new Circle(i));
    for (int i = 0; i < 20; i++) shapes->push_back(new Square(i));
    for (int i = 0; i < 10; i++) shapes->push_back(new Triangle(i, 2));
    plain = new Plain{1, 2};
    name = new std::string(100, 'x');
    double total = 0;
    for (Shape *s : *shapes) total += s->area();
    std::printf("shapes: %zu, total area %.1f\n", shapes->size(), total);
    return 0;
}
