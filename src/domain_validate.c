/*
 * domain_validate.c: can this domain do secure IPL? (spec/05 §8.4)
 */
#include "domain_validate.h"

#include <libxml/xpath.h>
#include <string.h>

#include "domain_xml.h"
#include "sipl_i18n.h"
#include "sipl_util.h"

/* QEMU builds IPLBs for 1 + 7 chained boot devices (spec/01 §5). */
#define SIPL_MAX_BOOT_DEVS 8

static const char *const siplSecureIplFacilities[] = { "cstore", "sipl", "sclaf" };

typedef struct {
    xmlDocPtr doc;
    xmlXPathContextPtr xpath;
} siplDomainCtxt;


static char *
siplXPathString(siplDomainCtxt *ctxt, xmlNodePtr node, const char *expr)
{
    xmlXPathObjectPtr obj;
    char *ret = NULL;

    ctxt->xpath->node = node ? node : xmlDocGetRootElement(ctxt->doc);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctxt->xpath);
    if (obj && obj->type == XPATH_STRING && obj->stringval && *obj->stringval)
        ret = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return ret;
}


/* The element nodes @expr selects (empty array when none). Only elements
 * are handed out: they belong to the document, whereas the namespace nodes
 * of a node-set are copies that xmlXPathFreeObject() frees. @expr is always
 * a constant of this file: values from the domain XML are compared in C,
 * never pasted into an expression. */
static GPtrArray *
siplXPathNodes(siplDomainCtxt *ctxt, xmlNodePtr node, const char *expr)
{
    GPtrArray *nodes = g_ptr_array_new();
    xmlXPathObjectPtr obj;
    int i;

    ctxt->xpath->node = node ? node : xmlDocGetRootElement(ctxt->doc);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctxt->xpath);
    if (obj && obj->type == XPATH_NODESET && obj->nodesetval) {
        for (i = 0; i < obj->nodesetval->nodeNr; i++) {
            xmlNodePtr found = obj->nodesetval->nodeTab[i];

            if (found && found->type == XML_ELEMENT_NODE)
                g_ptr_array_add(nodes, found);
        }
    }
    xmlXPathFreeObject(obj);
    return nodes;
}


char *
siplDomainGetEmulator(const char *domainXML, GError **error)
{
    xmlDocPtr doc = siplDomainXMLParseDoc(domainXML, error);
    siplDomainCtxt ctxt = { doc, NULL };
    char *ret;

    if (!doc)
        return NULL;
    ctxt.xpath = xmlXPathNewContext(doc);
    ret = siplXPathString(&ctxt, NULL, "normalize-space(/domain/devices/emulator)");
    xmlXPathFreeContext(ctxt.xpath);
    xmlFreeDoc(doc);
    return ret ? ret : g_strdup(SIPL_QEMU_DEFAULT_EMULATOR);
}


static bool
siplDomainValidateMachine(siplDomainCtxt *ctxt, GError **error)
{
    g_autofree char *arch = siplXPathString(ctxt, NULL, "string(/domain/os/type/@arch)");
    g_autofree char *machine = siplXPathString(ctxt, NULL, "string(/domain/os/type/@machine)");
    guint major;
    guint minor;

    if (g_strcmp0(arch, "s390x") != 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("secure IPL needs an s390x guest; this domain's architecture is '%1$s'"),
                    arch ? arch : "");
        return false;
    }
    /* no machine: libvirt picks s390-ccw-virtio, the newest version */
    if (!machine || strcmp(machine, SIPL_QEMU_MACHINE) == 0)
        return true;
    if (!siplQemuMachineVersion(machine, &major, &minor)) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("secure IPL needs machine type '%1$s'; this domain uses '%2$s'"),
                    SIPL_QEMU_MACHINE, machine);
        return false;
    }
    /* Older machine versions reject both properties (spec/01 §4.1). */
    if (major < 11 || (major == 11 && minor < 2)) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("machine type '%1$s' is older than 11.2 and does not support secure IPL; use '%2$s-11.2' or later"),
                    machine, SIPL_QEMU_MACHINE);
        return false;
    }
    return true;
}


static bool
siplDomainValidateBootPaths(siplDomainCtxt *ctxt, GError **error)
{
    g_autofree char *kernel = siplXPathString(ctxt, NULL, "string(/domain/os/kernel)");
    g_autofree char *pv = siplXPathString(ctxt, NULL,
                                          "string(/domain/launchSecurity/@type)");

    /* 07 D8: -kernel skips the IPLB and with it every secure-IPL check */
    if (kernel) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("direct kernel boot (<kernel>%1$s</kernel>) bypasses secure IPL; boot from a disk instead"),
                    kernel);
        return false;
    }
    /* spec/01 §4.2: PV guests never see the facilities */
    if (g_strcmp0(pv, "s390-pv") == 0) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_DOMAIN,
                            _("a Protected Virtualization guest (<launchSecurity type='s390-pv'/>) cannot use secure IPL; secure-execution images are integrity-protected already"));
        return false;
    }
    return true;
}


/* spec/01 §4.2: cstore, sipl and sclaf must reach the guest. */
static bool
siplDomainValidateCPU(siplDomainCtxt *ctxt, GError **error)
{
    g_autoptr(GPtrArray) cpus = siplXPathNodes(ctxt, NULL, "/domain/cpu");
    g_autofree char *type = siplXPathString(ctxt, NULL, "string(/domain/@type)");
    g_autofree char *mode = NULL;
    g_autofree char *model = NULL;
    g_autoptr(GString) missing = g_string_new(NULL);
    xmlNodePtr cpu;
    guint i;

    /* no <cpu>: the host model under KVM, "qemu" under TCG; both have them */
    if (cpus->len == 0)
        return true;
    cpu = cpus->pdata[0];
    mode = siplXPathString(ctxt, cpu, "string(@mode)");
    model = siplXPathString(ctxt, cpu, "normalize-space(model)");

    for (i = 0; i < G_N_ELEMENTS(siplSecureIplFacilities); i++) {
        g_autofree char *expr = g_strdup_printf("string(feature[@name='%s']/@policy)",
                                                siplSecureIplFacilities[i]);
        g_autofree char *policy = siplXPathString(ctxt, cpu, expr);
        g_autofree char *present = g_strdup_printf("feature[@name='%s']",
                                                   siplSecureIplFacilities[i]);
        g_autoptr(GPtrArray) nodes = siplXPathNodes(ctxt, cpu, present);

        if (g_strcmp0(policy, "disable") == 0 || g_strcmp0(policy, "forbid") == 0) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                        _("CPU feature '%1$s' is disabled, but secure IPL needs the facilities cstore, sipl and sclaf"),
                        siplSecureIplFacilities[i]);
            return false;
        }
        /* policy defaults to require */
        if (nodes->len == 0 || (policy && strcmp(policy, "require") != 0 &&
                                strcmp(policy, "force") != 0))
            g_string_append_printf(missing, "%s%s", missing->len ? ", " : "",
                                   siplSecureIplFacilities[i]);
    }

    if (g_strcmp0(mode, "host-model") == 0 || g_strcmp0(mode, "host-passthrough") == 0) {
        if (g_strcmp0(type, "kvm") != 0) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                        _("CPU mode '%1$s' gives the facilities secure IPL needs only under KVM; use <domain type='kvm'> or the 'qemu' CPU model"),
                        mode);
            return false;
        }
        return true;
    }
    if (g_strcmp0(mode, "maximum") == 0 || !model ||
        strcmp(model, "qemu") == 0 || strcmp(model, "max") == 0)
        return true;
    /* a named model such as z16 does not enable them by default (01 §4.2) */
    if (missing->len) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("CPU model '%1$s' does not enable %2$s, which secure IPL needs: add <feature policy='require' name='...'/> for each, or use host-model or the 'qemu' model"),
                    model, missing->str);
        return false;
    }
    return true;
}


static char *
siplDomainDeviceName(siplDomainCtxt *ctxt, xmlNodePtr dev)
{
    char *name = NULL;

    if (strcmp((const char *)dev->name, "disk") == 0)
        name = siplXPathString(ctxt, dev, "string(target/@dev)");
    else if (strcmp((const char *)dev->name, "interface") == 0)
        name = siplXPathString(ctxt, dev, "string(mac/@address)");
    if (!name)
        name = siplXPathString(ctxt, dev, "string(alias/@name)");
    return name ? name : g_strdup((const char *)dev->name);
}


static bool
siplDomainErrorUnsupported(const char *name, GError **error)
{
    g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                _("boot device '%1$s' does not support secure boot: only virtio-blk-ccw disks and scsi-hd disks on virtio-scsi-ccw can be securely IPLed"),
                name);
    return false;
}


static bool
siplDomainErrorPci(const char *name, GError **error)
{
    g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                _("boot device '%1$s' is on PCI: virtio-pci boot devices do not support secure boot"),
                name);
    return false;
}


/* A controller index as libvirt reads it (decimal, unsigned). */
static bool
siplDomainParseIndex(const char *text, guint64 *index)
{
    return text && g_ascii_string_to_unsigned(text, 10, 0, G_MAXUINT, index,
                                              NULL);
}


/* The SCSI controller a scsi disk sits on: @controller of its drive
 * address (0 without one), matched against each controller's @index in C.
 * The value is user input: pasted into an XPath expression, a quote in it
 * would rewrite the query. Sets *@ctrl to NULL when the domain has no such
 * controller. */
static bool
siplDomainScsiController(siplDomainCtxt *ctxt, xmlNodePtr disk,
                         const char *name, xmlNodePtr *ctrl, GError **error)
{
    g_autoptr(GPtrArray) addrs = siplXPathNodes(ctxt, disk, "address[@type='drive']");
    g_autoptr(GPtrArray) ctrls = siplXPathNodes(ctxt, NULL,
                                                "/domain/devices/controller[@type='scsi']");
    xmlChar *prop = NULL;
    guint64 want = 0;
    guint i;

    *ctrl = NULL;
    if (addrs->len > 0)
        prop = xmlGetNoNsProp(addrs->pdata[0], (const xmlChar *)"controller");
    if (prop && !siplDomainParseIndex((const char *)prop, &want)) {
        /* libvirt refuses this address too ('Invalid value for attribute') */
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("boot device '%1$s' has an invalid drive address: controller '%2$s' is not a controller index"),
                    name, (const char *)prop);
        xmlFree(prop);
        return false;
    }
    xmlFree(prop);

    for (i = 0; i < ctrls->len; i++) {
        xmlChar *index = xmlGetNoNsProp(ctrls->pdata[i], (const xmlChar *)"index");
        guint64 have;
        bool match = siplDomainParseIndex((const char *)index, &have) &&
                     have == want;

        xmlFree(index);
        if (match) {
            *ctrl = ctrls->pdata[i];
            break;
        }
    }
    return true;
}


/* spec/01 §4.3: virtio-blk-ccw, or scsi-hd on virtio-scsi-ccw */
static bool
siplDomainValidateDisk(siplDomainCtxt *ctxt, xmlNodePtr disk, const char *name,
                       GError **error)
{
    g_autofree char *device = siplXPathString(ctxt, disk, "string(@device)");
    g_autofree char *bus = siplXPathString(ctxt, disk, "string(target/@bus)");
    g_autofree char *addr = siplXPathString(ctxt, disk, "string(address/@type)");

    if (g_strcmp0(device, "cdrom") == 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("boot device '%1$s' is a CD-ROM: secure boot from ISO images is not supported"),
                    name);
        return false;
    }
    if (device && strcmp(device, "disk") != 0)
        return siplDomainErrorUnsupported(name, error);

    if (g_strcmp0(bus, "virtio") == 0) {
        /* virtio disks of s390-ccw-virtio default to CCW addresses */
        if (!addr || strcmp(addr, "ccw") == 0)
            return true;
        if (strcmp(addr, "pci") == 0)
            return siplDomainErrorPci(name, error);
        return siplDomainErrorUnsupported(name, error);
    }
    if (g_strcmp0(bus, "scsi") == 0) {
        xmlNodePtr ctrl = NULL;
        g_autofree char *model = NULL;
        g_autofree char *ctrlAddr = NULL;

        if (!siplDomainScsiController(ctxt, disk, name, &ctrl, error))
            return false;
        /* none: libvirt adds a virtio-scsi controller on CCW */
        if (!ctrl)
            return true;
        model = siplXPathString(ctxt, ctrl, "string(@model)");
        ctrlAddr = siplXPathString(ctxt, ctrl, "string(address/@type)");
        if (model && strcmp(model, "virtio-scsi") != 0)
            return siplDomainErrorUnsupported(name, error);
        if (!ctrlAddr || strcmp(ctrlAddr, "ccw") == 0)
            return true;
        if (strcmp(ctrlAddr, "pci") == 0)
            return siplDomainErrorPci(name, error);
    }
    return siplDomainErrorUnsupported(name, error);
}


static bool
siplDomainValidateBootDevice(siplDomainCtxt *ctxt, xmlNodePtr dev,
                             GError **error)
{
    g_autofree char *name = siplDomainDeviceName(ctxt, dev);
    const char *kind = (const char *)dev->name;

    if (strcmp(kind, "disk") == 0)
        return siplDomainValidateDisk(ctxt, dev, name, error);
    if (strcmp(kind, "interface") == 0) {
        g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                    _("boot device '%1$s' is a network interface: network boot does not support secure boot"),
                    name);
        return false;
    }
    if (strcmp(kind, "hostdev") == 0) {
        g_autofree char *model = siplXPathString(ctxt, dev, "string(@model)");
        g_autofree char *type = siplXPathString(ctxt, dev, "string(@type)");

        if (g_strcmp0(model, "vfio-ccw") == 0) {
            g_set_error(error, SIPL_SECUREBOOT_ERROR, SIPL_SECUREBOOT_ERROR_DOMAIN,
                        _("boot device '%1$s' is a vfio-ccw passthrough device: passthrough CCW devices do not support secure boot"),
                        name);
            return false;
        }
        if (g_strcmp0(type, "pci") == 0)
            return siplDomainErrorPci(name, error);
    }
    return siplDomainErrorUnsupported(name, error);
}


/* The boot devices QEMU builds IPLBs for: those with <boot order>. The
 * legacy <os><boot dev=.../> form is refused: spec/05 §8.4 asks for a
 * device boot order, and without one QEMU stops with "No boot device
 * defined for Secure IPL" (spec/02 §8.3). */
static bool
siplDomainValidateBoot(siplDomainCtxt *ctxt, GPtrArray *warnings,
                       GError **error)
{
    g_autoptr(GPtrArray) devs = siplXPathNodes(ctxt, NULL, "/domain/devices/*[boot]");
    guint i;

    if (devs->len == 0) {
        g_set_error_literal(error, SIPL_SECUREBOOT_ERROR,
                            SIPL_SECUREBOOT_ERROR_DOMAIN,
                            _("No boot device defined for Secure IPL: give the boot disk (virtio-blk-ccw, or scsi-hd on virtio-scsi-ccw) a <boot order='1'/>; <os><boot dev=.../> is not enough"));
        return false;
    }
    /* QEMU checks every device it builds an IPLB for; sipl checks all */
    for (i = 0; i < devs->len; i++) {
        if (!siplDomainValidateBootDevice(ctxt, devs->pdata[i], error))
            return false;
    }
    if (devs->len > SIPL_MAX_BOOT_DEVS)
        siplWarn(warnings,
                 _("the domain has %1$u boot devices; QEMU uses the first %2$u only"),
                 devs->len, (guint)SIPL_MAX_BOOT_DEVS);
    return true;
}


bool
siplDomainValidate(const char *domainXML, const siplSecureBootDef *def,
                   const siplQemuCaps *caps, GPtrArray *warnings,
                   GError **error)
{
    siplDomainCtxt ctxt = { NULL, NULL };
    bool ok = false;

    if (!(ctxt.doc = siplDomainXMLParseDoc(domainXML, error)))
        return false;
    /* normal mode passes nothing to QEMU */
    if (def->mode == SIPL_MODE_NORMAL) {
        xmlFreeDoc(ctxt.doc);
        return true;
    }
    ctxt.xpath = xmlXPathNewContext(ctxt.doc);

    /* The emulator first: on a QEMU without the properties (Debian 12's
     * 7.2) "this QEMU has no secure IPL" is the actionable message, not the
     * machine version libvirt filled in from that same QEMU. */
    if (caps) {
        if (!siplQemuCapsCheck(caps, error))
            goto cleanup;
    } else {
        siplWarn(warnings, "%s",
                 _("the domain's QEMU was not probed; make sure it is QEMU 11.2 or later with the 'secure-boot' and 'boot-certs' machine properties"));
    }
    if (!siplDomainValidateMachine(&ctxt, error))
        goto cleanup;
    if (!siplDomainValidateBootPaths(&ctxt, error) ||
        !siplDomainValidateCPU(&ctxt, error) ||
        !siplDomainValidateBoot(&ctxt, warnings, error))
        goto cleanup;
    ok = true;

 cleanup:
    xmlXPathFreeContext(ctxt.xpath);
    xmlFreeDoc(ctxt.doc);
    return ok;
}
